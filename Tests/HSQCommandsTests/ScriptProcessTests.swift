import Foundation
import HSQCore
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
    var signalled = Date()
    let outcome = try ChildProcess.run(
      path: ReplDriver.products.appendingPathComponent("hsq-repl").path, arguments,
      environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, directory: folder, timeout: timeout
    ) { process in
      guard let delay else { return }
      Thread.sleep(forTimeInterval: delay)
      #expect(process.poll() == nil, "the command should still be running when Ctrl-C comes")
      signalled = Date()
      process.signal(SIGINT)
    }
    return Run(status: outcome.status, output: outcome.output, errors: outcome.errors, seconds: Date().timeIntervalSince(signalled))
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
      "long.hsq": "\(Self.small)\n\(command)\nsave after.safetensors\n",
      "inner.hsq": "step 1\nrun --steps 100000000\n",
    ])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let run = try Self.run(["long.hsq"], in: folder, interruptAfter: 1.5)
    #expect(run.status == 130, "exit status \(run.status); stderr: \(run.errors)")
    #expect(run.seconds < 2.5, "stopped \(run.seconds) s after SIGINT")
    #expect(run.errors.contains("long.hsq:2: interrupted at long.hsq:2"), "stderr: \(run.errors)")
    #expect(!FileManager.default.fileExists(atPath: folder + "/after.safetensors"), "the line after the interrupted one did not run")
  }

  @Test func aSelfReplayingScriptFailsWithTheChain() throws {
    let folder = try Self.folder(["self.hsq": "replay self.hsq\n"])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let run = try Self.run(["self.hsq"], in: folder)
    #expect(run.status == 1, "exit status \(run.status); stderr: \(run.errors.suffix(300))")
    #expect(run.errors.contains("'self.hsq' replays itself (self.hsq → self.hsq)"), "stderr: \(run.errors.suffix(300))")
  }

  @Test func aCRLFScriptRunsLineByLine() throws {
    let folder = try Self.folder(["crlf.hsq": "\(Self.small)\r\nstep 2\r\nsave done.safetensors\r\n"])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let run = try Self.run(["crlf.hsq"], in: folder)
    #expect(run.status == 0, "stderr: \(run.errors)")
    #expect(FileManager.default.fileExists(atPath: folder + "/done.safetensors"))
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
