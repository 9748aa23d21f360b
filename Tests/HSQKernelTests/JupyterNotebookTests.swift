import Foundation
import HSQTestSupport
import Testing

/// Every notebook in `notebooks/` runs in Jupyter: exported in quick mode (`notebook export --quick --ipynb`),
/// run by `jupyter execute --kernel_name=hsq`, and every code cell's text equals the Markdown record's.
///
/// Each runs in a scratch folder that links the notebook folder's inputs (the plugin sources), so the
/// figures the cells write do not replace the committed ones.
@Suite(.serialized) struct JupyterNotebookTests {
  static let notebooks: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: Jupyter.notebooks)) ?? [])
    .filter { $0.hasSuffix(".md") && $0 != "README.md" }.sorted()

  @Test(.requires(Jupyter.prerequisite, Jupyter.isAvailable), arguments: notebooks)
  func runsInJupyter(_ name: String) throws {
    try #require(FileManager.default.isExecutableFile(atPath: Jupyter.repl), "hsq-repl is not built at \(Jupyter.repl)")
    let folder = try Jupyter.scratch("jupyter-notebook")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let data = folder + "/jupyter"
    #expect(try Jupyter.installKernel(dataDirectory: data).status == 0)
    for entry in try FileManager.default.contentsOfDirectory(atPath: Jupyter.notebooks)
    where !entry.hasSuffix(".md") && !entry.hasSuffix(".svg") && entry != "quick" && !entry.hasPrefix(".") {
      try FileManager.default.createSymbolicLink(atPath: folder + "/" + entry, withDestinationPath: Jupyter.notebooks + "/" + entry)
    }
    let exported = folder + "/exported.ipynb", executed = folder + "/executed.ipynb"
    let export = try Jupyter.run(Jupyter.repl, ["notebook", "export", "--quick", Jupyter.notebooks + "/" + name, "--ipynb", exported])
    try #require(export.status == 0, "\(export.output)")
    let python = executableOnPath("python3")!
    let run = try Jupyter.run(python, ["-m", "jupyter", "execute", "--kernel_name=hsq", "--timeout=600", "--output=executed.ipynb", exported],
                              environment: Jupyter.environment(dataDirectory: data), directory: folder)
    try #require(run.status == 0, "\(name): jupyter execute failed: \(run.output)")
    let compare = try Jupyter.run(python, [Jupyter.scripts + "/compare_notebook.py", exported, executed])
    #expect(compare.status == 0, "\(name): \(compare.output)")
  }
}
