import Foundation
import HSQTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `hsq-mpi` as `swift test` built it, run under `mpirun --oversubscribe -n K` (or alone) in a folder.
struct MPIRun {
  /// A finished run: exit status (128 + signal when killed by one), standard output and error.
  struct Outcome {
    let status: Int32
    let output: String
    let errors: String
  }

  /// The directory `swift test` built into, where hsq-mpi and hsq-repl are.
  static let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  static var binary: String { products.appendingPathComponent("hsq-mpi").path }

  /// The prerequisite of every test here: Open MPI's launcher and the built binary.
  static let prerequisite = "Open MPI's mpirun (apt-get install openmpi-bin libopenmpi-dev) and a built hsq-mpi"
  static var isAvailable: Bool { executableOnPath("mpirun") != nil && FileManager.default.isExecutableFile(atPath: binary) }

  /// Runs `hsq-mpi arguments` on `ranks` ranks (`nil`: without mpirun) in `folder`, with `input` on standard input.
  ///
  /// As root, mpirun needs the two OMPI_ALLOW_RUN_AS_ROOT variables; more ranks than cores need
  /// `--oversubscribe`, and `mpi_yield_when_idle` stops waiting ranks spinning on the 2-core machines.
  /// `whileRunning` is called once the process has started (to signal it).
  static func run(ranks: Int?, _ arguments: [String], in folder: String, input: String = "", timeout: Double = 120,
                  whileRunning: ((Process) -> Void)? = nil) throws -> Outcome {
    guard let ranks else { return try start(binary, arguments, in: folder, input: input, timeout: timeout, whileRunning: whileRunning) }
    let options = ["--oversubscribe", "--bind-to", "none", "--mca", "mpi_yield_when_idle", "1", "-n", "\(ranks)"]
    return try start(executableOnPath("mpirun")!, options + [binary] + arguments, in: folder, input: input, timeout: timeout,
                     whileRunning: whileRunning)
  }

  /// Runs the hsq-repl `swift test` built (threads only), like ``run(ranks:_:in:input:timeout:)``.
  static func runRepl(_ arguments: [String], in folder: String, input: String = "", timeout: Double = 120) throws -> Outcome {
    try start(products.appendingPathComponent("hsq-repl").path, arguments, in: folder, input: input, timeout: timeout)
  }

  /// Runs `executable arguments` in `folder` until it exits (killed after `timeout` seconds).
  static func start(_ executable: String, _ arguments: [String], in folder: String, input: String, timeout: Double,
                    whileRunning: ((Process) -> Void)? = nil) throws -> Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    process.environment = environment
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    let out = URL(fileURLWithPath: folder + "/stdout-\(UUID()).log"), err = URL(fileURLWithPath: folder + "/stderr-\(UUID()).log")
    let inputFile = URL(fileURLWithPath: folder + "/stdin-\(UUID()).txt")
    try input.write(to: inputFile, atomically: true, encoding: .utf8)
    for url in [out, err] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = try FileHandle(forReadingFrom: inputFile)
    // The child inherits this thread's signal mask, and test threads may block SIGINT, SIGTERM and
    // SIGUSR1: unblock them so mpirun reacts to the signals the tests send it.
    var signals = sigset_t()
    sigemptyset(&signals)
    for signo in [SIGINT, SIGTERM, SIGUSR1] { sigaddset(&signals, signo) }
    pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    try process.run()
    whileRunning?(process)
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    if process.isRunning {
      // mpirun killed outright leaves its ranks behind: kill them too (they are this test's processes).
      let ranks = children(of: process.processIdentifier)
      kill(process.processIdentifier, SIGKILL)
      for pid in ranks { kill(pid, SIGKILL) }
    }
    process.waitUntilExit()
    let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    return Outcome(status: status, output: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                   errors: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
  }

  /// The processes whose parent is `pid` (mpirun's ranks on this machine).
  static func children(of pid: Int32) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { Int32($0) }.filter { child in
      guard let status = try? String(contentsOfFile: "/proc/\(child)/status", encoding: .utf8) else { return false }
      return status.split(separator: "\n").contains { $0 == "PPid:\t\(pid)" }
    }
  }

  /// A new temporary folder holding `files` (name → text).
  static func folder(_ files: [String: String] = [:]) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-mpi-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (name, text) in files { try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
    return folder
  }
}
