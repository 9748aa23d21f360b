import Foundation
import HSQCore
import HSQTestSupport
import Testing

/// `hsq-mpi` as `swift test` built it, run under `mpirun --oversubscribe -n K` (or alone) in a folder.
struct MPIRun {
  typealias Outcome = ChildProcess.Outcome

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
                  whileRunning: ((ChildProcess) -> Void)? = nil) throws -> Outcome {
    guard let ranks else { return try start(binary, arguments, in: folder, input: input, timeout: timeout, whileRunning: whileRunning) }
    let options = ["--oversubscribe", "--bind-to", "none", "--mca", "mpi_yield_when_idle", "1", "-n", "\(ranks)"]
    return try start(executableOnPath("mpirun")!, options + [binary] + arguments, in: folder, input: input, timeout: timeout,
                     whileRunning: whileRunning)
  }

  /// Runs the hsq-repl `swift test` built (threads only), like ``run(ranks:_:in:input:timeout:)``.
  static func runRepl(_ arguments: [String], in folder: String, input: String = "", timeout: Double = 120) throws -> Outcome {
    try start(products.appendingPathComponent("hsq-repl").path, arguments, in: folder, input: input, timeout: timeout)
  }

  /// Runs `executable arguments` in `folder` until it exits (killed, with every process it started, after `timeout` seconds).
  static func start(_ executable: String, _ arguments: [String], in folder: String, input: String, timeout: Double,
                    whileRunning: ((ChildProcess) -> Void)? = nil) throws -> Outcome {
    var environment = ProcessInfo.processInfo.environment
    environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    return try ChildProcess.run(
      path: executable, arguments, environment: environment, directory: folder, standardInput: input, timeout: timeout,
      whileRunning: whileRunning)
  }

  /// A new temporary folder holding `files` (name → text).
  static func folder(_ files: [String: String] = [:]) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-mpi-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (name, text) in files { try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
    return folder
  }
}
