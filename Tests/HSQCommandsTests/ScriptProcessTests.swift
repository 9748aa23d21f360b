import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `hsq-repl FILE` as a user runs it: Ctrl-C, self-replaying scripts, CRLF files, scripts that load code
/// (issue 11, items 2, 5, 6, 12, 13). Runs the hsq-repl that `swift test` built.
@Suite struct ScriptProcessTests {
  /// A finished run: exit status (128 + signal when killed by one), standard output and error, seconds taken.
  struct Run {
    let status: Int32
    let output: String
    let errors: String
    /// Seconds from the SIGINT (or the start, without one) to the exit.
    let seconds: Double
  }

  /// Runs `hsq-repl arguments` in `folder` (with `environment` added); with `interruptAfter`, sends SIGINT that many seconds after the start.
  static func run(
    _ arguments: [String], in folder: String, interruptAfter delay: Double? = nil, timeout: Double = 60, environment: [String: String] = [:]
  ) throws -> Run {
    let process = Process()
    process.executableURL = ReplDriver.products.appendingPathComponent("hsq-repl")
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    let out = URL(fileURLWithPath: folder + "/stdout-\(UUID()).log"), err = URL(fileURLWithPath: folder + "/stderr-\(UUID()).log")
    for url in [out, err] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    var signalled = Date()
    if let delay {
      Thread.sleep(forTimeInterval: delay)
      #expect(process.isRunning, "the command should still be running when Ctrl-C comes")
      signalled = Date()
      kill(process.processIdentifier, SIGINT)
    }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    // SIGKILL: a child started from a test's thread inherits its blocked signals (SIGTERM included).
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    let seconds = Date().timeIntervalSince(signalled)
    let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    return Run(status: status, output: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
               errors: (try? String(contentsOf: err, encoding: .utf8)) ?? "", seconds: seconds)
  }

  static func folder(_ files: [String: String]) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-script-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (name, text) in files { try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
    return folder
  }

  static let small = "experiment e dataset=linear:d=4,n=64,n-test=16 model=least-squares workers=2 batch=8 lr=0.05 compress-threshold=0"

  @Test(arguments: ["codebook kmeans:dim=2,k=65536 --samples 100", "run --steps 100000000", "replay inner.hsq"])
  func controlCStopsAScriptWithinASecondAndFails(_ command: String) throws {
    let folder = try Self.folder([
      "long.hsq": "\(Self.small)\n\(command)\nsave after.json\n",
      "inner.hsq": "step 1\nrun --steps 100000000\n",
    ])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let run = try Self.run(["long.hsq"], in: folder, interruptAfter: 1.5)
    #expect(run.status == 130, "exit status \(run.status); stderr: \(run.errors)")
    #expect(run.seconds < 2.5, "stopped \(run.seconds) s after SIGINT")
    #expect(run.errors.contains("long.hsq:2: interrupted at long.hsq:2"), "stderr: \(run.errors)")
    #expect(!FileManager.default.fileExists(atPath: folder + "/after.json"), "the line after the interrupted one did not run")
  }

  @Test func aSelfReplayingScriptFailsWithTheChain() throws {
    let folder = try Self.folder(["self.hsq": "replay self.hsq\n"])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let run = try Self.run(["self.hsq"], in: folder)
    #expect(run.status == 1, "exit status \(run.status); stderr: \(run.errors.suffix(300))")
    #expect(run.errors.contains("'self.hsq' replays itself (self.hsq → self.hsq)"), "stderr: \(run.errors.suffix(300))")
  }

  @Test func aCRLFScriptRunsLineByLine() throws {
    let folder = try Self.folder(["crlf.hsq": "\(Self.small)\r\nstep 2\r\nsave done.json\r\n"])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let run = try Self.run(["crlf.hsq"], in: folder)
    #expect(run.status == 0, "stderr: \(run.errors)")
    #expect(FileManager.default.fileExists(atPath: folder + "/done.json"))
  }

  @Test func aScriptLoadsCodeOnlyWithAllowLoad() throws {
    let folder = try Self.folder(["loads.hsq": "load Missing.swift\n"])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let refused = try Self.run(["loads.hsq"], in: folder)
    #expect(refused.status == 1)
    #expect(refused.errors.contains("loads.hsq:1: 'loads.hsq' wants to compile and run code ('load Missing.swift'); if you trust it, run it again with --allow-load."),
            "stderr: \(refused.errors)")
    let allowed = try Self.run(["--allow-load", "loads.hsq"], in: folder)
    #expect(allowed.status == 1)
    #expect(allowed.errors.contains("There is no file or directory"), "with the flag it gets as far as the compiler: \(allowed.errors)")
  }
}
