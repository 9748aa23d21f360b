import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HSQTestSupport
import Testing

/// The interactive front end in a real terminal: tmux drives hsq-repl and the line-editor demo.
///
/// `swift test` builds every product next to the test bundle, so the scripts run the binaries of this build.
@Suite(.serialized) struct TerminalTests {
  static let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("tmux")
  /// tmux anywhere on PATH (the scripts call `tmux`).
  static let hasTmux = executableOnPath("tmux") != nil

  /// Runs `script` with `arguments`; returns its exit status and output.
  ///
  /// posix_spawn and waitpid rather than Foundation's Process, whose child reaping did not
  /// return here once the script had started a tmux server. Output goes to a file: the tmux
  /// server inherits it and outlives the script, so a pipe would never reach end of file.
  static func run(_ script: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-tmux-\(UUID()).log").path
    defer { try? FileManager.default.removeItem(atPath: log) }
    let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0)=\($1)" }
    let argv = ["/bin/bash", scripts.appendingPathComponent(script).path] + arguments
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var pid: pid_t = 0
    let cArgs = argv.map { strdup($0) } + [nil]
    let cEnv = env.map { strdup($0) } + [nil]
    defer { (cArgs + cEnv).forEach { free($0) } }
    let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, cArgs, cEnv)
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
    var status: Int32 = 0
    let deadline = Date().addingTimeInterval(300)
    while waitpid(pid, &status, WNOHANG) == 0 {
      if Date() > deadline { kill(pid, SIGKILL) }
      usleep(100_000)
    }
    let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return (exit, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
  }

  @Test(.requires("tmux on PATH (apt-get install tmux)", hasTmux))
  func replPromptCompletionHistoryAndInterrupts() throws {
    let binary = Self.products.appendingPathComponent("hsq-repl").path
    try #require(FileManager.default.isExecutableFile(atPath: binary), "hsq-repl is not built at \(binary)")
    let (status, output) = try Self.run("repl.sh", [binary])
    #expect(status == 0, "\(output)")
    #expect(output.contains("all hsq-repl terminal checks passed"))
  }

  @Test(.requires("tmux on PATH (apt-get install tmux)", hasTmux))
  func lineEditorDemo() throws {
    let binary = Self.products.appendingPathComponent("hsq-line-editor-demo").path
    try #require(FileManager.default.isExecutableFile(atPath: binary), "the demo is not built at \(binary)")
    let (status, output) = try Self.run("line_editor.sh", [], environment: ["HSQ_TMUX_COMMAND": binary])
    #expect(status == 0, "\(output)")
    #expect(output.contains("all line editor checks passed"))
  }
}
