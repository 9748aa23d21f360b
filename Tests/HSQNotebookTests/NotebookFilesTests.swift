import Foundation
import HSQTestSupport
import Testing

/// CI for `notebooks/`: every notebook passes `hsq-repl notebook check --quick --allow-load` (they are ours to trust) (its quick record when it declares
/// quick settings, else its committed outputs) and exports to a valid nbformat 4 notebook.
///
/// `swift test` builds `hsq-repl` next to the test bundle; the check runs it with one BLAS thread so kernels match.
@Suite(.serialized) struct NotebookFilesTests {
  static let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("notebooks")
  static let notebooks: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
    .filter { $0.hasSuffix(".md") && $0 != "README.md" }.sorted()
  static let environment = ["OPENBLAS_NUM_THREADS": "1", "OPENBLAS_CORETYPE": "Haswell"]

  @Test func thereAreNotebooks() {
    #expect(Self.notebooks.count >= 3, "no notebooks found in \(Self.folder.path)")
  }

  @Test(arguments: notebooks)
  func checksAndExports(_ name: String) throws {
    let binary = Self.products.appendingPathComponent("hsq-repl").path
    try #require(FileManager.default.isExecutableFile(atPath: binary), "hsq-repl is not built at \(binary)")
    let path = Self.folder.appendingPathComponent(name).path
    let (status, output) = try Subprocess.run(binary, ["notebook", "check", "--quick", "--allow-load", path], environment: Self.environment)
    #expect(status == 0, "\(name): \(output)")
    let ipynb = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-\(UUID().uuidString).ipynb").path
    defer { try? FileManager.default.removeItem(atPath: ipynb) }
    let (exported, message) = try Subprocess.run(binary, ["notebook", "export", path, "--ipynb", ipynb])
    #expect(exported == 0, "\(name): \(message)")
    let (valid, report) = try NBFormat.validate(ipynb)
    #expect(valid == 0, "\(name): \(report)")
  }
}
