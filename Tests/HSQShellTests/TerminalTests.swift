import Foundation
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
  /// Output goes to a file, not a pipe: the tmux server the script starts inherits it and outlives the script.
  static func run(_ script: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
    try Subprocess.run("/bin/bash", [scripts.appendingPathComponent(script).path] + arguments, environment: environment, timeout: 300)
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
