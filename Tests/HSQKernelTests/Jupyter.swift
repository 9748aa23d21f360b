import Foundation
import HSQTestSupport

/// The built `hsq-repl`, python3 with the Jupyter packages, and a scratch Jupyter data directory holding the kernelspec.
enum Jupyter {
  static let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  static let repl = products.appendingPathComponent("hsq-repl").path
  static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts").path
  static let notebooks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("notebooks").path

  /// What the tests need, and how to install it.
  static let prerequisite = "python3 with jupyter_client, nbclient and nbformat (pip install jupyter_client nbclient nbconvert nbformat; .ci/install)"

  /// Whether python3 can import the Jupyter client packages (checked once).
  static let isAvailable: Bool = {
    guard let python = executableOnPath("python3") else { return false }
    return (try? run(python, ["-c", "import jupyter_client, nbclient, nbformat"]).status) == 0
  }()

  /// A fresh directory under the temporary folder.
  static func scratch(_ name: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-\(name)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// Environment for Jupyter with the kernelspec installed in `dataDirectory` (one BLAS thread, as the notebook checks).
  static func environment(dataDirectory: String) -> [String: String] {
    ["JUPYTER_DATA_DIR": dataDirectory, "JUPYTER_PLATFORM_DIRS": "1", "OPENBLAS_NUM_THREADS": "1", "OPENBLAS_CORETYPE": "Haswell"]
  }

  /// Installs the kernelspec into `dataDirectory` with `hsq-repl kernel install --user`.
  static func installKernel(dataDirectory: String) throws -> (status: Int32, output: String) {
    try run(repl, ["kernel", "install", "--user"], environment: environment(dataDirectory: dataDirectory))
  }

  /// Runs a program to completion: its exit status and its standard output and error together.
  static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws -> (status: Int32, output: String) {
    try Subprocess.run(executable, arguments, environment: environment, directory: directory)
  }
}
