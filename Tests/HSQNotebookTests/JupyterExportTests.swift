import Foundation
import HSQTestSupport
import Testing
@testable import HSQNotebook

/// The Jupyter export: nbformat 4.5 structure, checked by the `nbformat` validator from PyPI (`.ci/install`).
@Suite struct JupyterExportTests {
  static let notebook = Notebook(cells: [
    .prose(["# Title", "", "Prose with `code`."]),
    .code(.init(source: ["describe hsq", "plot loss --svg loss.svg"], output: .init(text: "a\nb", figures: ["loss.svg"]))),
    .code(.init(source: ["step"])),
  ])

  @Test func cellsAndOutputs() throws {
    let jupyter = try JupyterNotebook(Self.notebook) { _ in "<svg xmlns=\"http://www.w3.org/2000/svg\"/>" }
    let object = try #require(try JSONSerialization.jsonObject(with: jupyter.json()) as? [String: Any])
    #expect(object["nbformat"] as? Int == 4)
    let cells = try #require(object["cells"] as? [[String: Any]])
    #expect(cells.map { $0["cell_type"] as? String } == ["markdown", "code", "code"])
    #expect(cells[1]["source"] as? [String] == ["describe hsq\n", "plot loss --svg loss.svg"])
    let outputs = try #require(cells[1]["outputs"] as? [[String: Any]])
    #expect(outputs.map { $0["output_type"] as? String } == ["stream", "display_data"])
    #expect(outputs[0]["text"] as? [String] == ["a\n", "b\n"])
    #expect((outputs[1]["data"] as? [String: String])?["image/svg+xml"]?.hasPrefix("<svg") == true)
    #expect(cells[2]["execution_count"] is NSNull)
    #expect(cells[0]["outputs"] == nil)
  }

  /// A plot's braille text goes only into its figure's `text/plain`, so HTML shows the SVG instead of garbled rows.
  @Test func aTerminalPlotIsItsFiguresPlainTextAlternative() throws {
    let plot = "      Training loss\n  1┤⠈⢦⠄\n   └┬──\n─●─ sgd\nWrote loss.svg."
    let text = "Current experiment: sgd.\n\n" + plot + "\n\nstep 3  loss 0.5"
    let notebook = Notebook(cells: [.code(.init(source: ["use sgd", "plot loss --svg loss.svg", "step"], output: .init(text: text, figures: ["loss.svg"])))])
    let object = try #require(try JSONSerialization.jsonObject(with: JupyterNotebook(notebook) { _ in "<svg/>" }.json()) as? [String: Any])
    let outputs = try #require((object["cells"] as? [[String: Any]])?.first?["outputs"] as? [[String: Any]])
    #expect(outputs.map { $0["output_type"] as? String } == ["stream", "display_data", "stream"])
    #expect(outputs[0]["text"] as? [String] == ["Current experiment: sgd.\n"])
    let figure = try #require(outputs[1]["data"] as? [String: String])
    #expect(figure["image/svg+xml"] == "<svg/>" && figure["text/plain"] == plot)
    #expect(outputs[2]["text"] as? [String] == ["step 3  loss 0.5\n"])
    let streams = outputs.compactMap { $0["text"] as? [String] }.joined().joined()
    #expect(!streams.unicodeScalars.contains { (0x2800...0x28FF).contains($0.value) }, "braille outside the figure")
  }

  @Test func blocksWithTablesExportAsHTMLToo() throws {
    let table = "uplink: identity\nlayer  d \n─────  ──\nfc1    10"
    let notebook = Notebook(cells: [.code(.init(source: ["describe identity"], output: .init(text: table)))])
    let object = try #require(try JSONSerialization.jsonObject(with: JupyterNotebook(notebook) { _ in "" }.json()) as? [String: Any])
    let output = try #require(((object["cells"] as? [[String: Any]])?.first?["outputs"] as? [[String: Any]])?.first)
    #expect(output["output_type"] as? String == "display_data")
    let data = try #require(output["data"] as? [String: [String]])
    #expect(data["text/plain"]?.joined() == table)
    #expect(data["text/html"]?.joined().contains("<th>layer</th><th>d</th>") == true)
  }

  @Test func validatesAsNBFormat4() throws {
    let jupyter = try JupyterNotebook(Self.notebook) { _ in "<svg xmlns=\"http://www.w3.org/2000/svg\"/>" }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-\(UUID().uuidString).ipynb").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try jupyter.json().write(to: URL(fileURLWithPath: path))
    let (status, output) = try NBFormat.validate(path)
    #expect(status == 0, "\(output)")
  }
}

/// The `nbformat` validator, run by python3.
enum NBFormat {
  /// Validates the notebook at `path`; returns python's exit status and output.
  static func validate(_ path: String) throws -> (Int32, String) {
    let script = "import sys, nbformat; nb = nbformat.read(sys.argv[1], as_version=4); nbformat.validate(nb); print('valid', nb.nbformat, nb.nbformat_minor)"
    return try Subprocess.run("/usr/bin/env", ["python3", "-c", script, path])
  }
}
