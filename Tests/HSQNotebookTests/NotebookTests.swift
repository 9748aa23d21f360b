import Foundation
import Testing
@testable import HSQNotebook

/// Parsing, rendering, running and checking notebooks, without a terminal.
@Suite struct NotebookTests {
  static let source = """
    # Title

    Some prose.

    ```hsq
    describe hsq:dim=16,k=256 --d 1000
    ```

    More prose.

    ```hsq
    experiment e model=least-squares dataset=linear:d=8,n=64 compressor=hsq:dim=4,k=16
    step 3   # quick: step 2
    plot loss --svg loss.svg
    ```
    The end.

    """

  @Test func parsesProseAndBlocks() throws {
    let notebook = try Notebook(parsing: Self.source)
    #expect(notebook.blocks.count == 2)
    #expect(notebook.blocks[1].firstLine.hasPrefix("experiment e"))
    #expect(notebook.blocks[1].commands(quick: false)[1] == "step 3   # quick: step 2")
    #expect(notebook.blocks[1].commands(quick: true)[1] == "step 2")
    #expect(notebook.hasQuickSettings)
    #expect(notebook.rendered == Self.source, "a notebook without outputs renders to its own text")
  }

  @Test func outputsRoundTrip() throws {
    let notebook = try Notebook(parsing: Self.source).withOutputs([
      .init(text: "a table\n  with lines"), .init(text: "", figures: ["loss.svg"]),
    ])
    let text = notebook.rendered
    #expect(text.contains("<!-- hsq:output -->\n```text\na table\n  with lines\n```\n<!-- hsq:end -->"))
    let parsed = try Notebook(parsing: text)
    #expect(parsed == notebook)
    #expect(parsed.rendered == text)
  }

  @Test func malformedNotebooksNameTheLine() {
    #expect(throws: NotebookError.malformed(line: 3, problem: "the ```hsq block is not closed; end it with a line of ```.")) {
      try Notebook(parsing: "prose\n\n```hsq\nstep\n")
    }
    #expect(throws: NotebookError.self) { try Notebook(parsing: "```hsq\nstep\n```\n<!-- hsq:output -->\n```text\nx\n") }
  }

  @Test func runWritesOutputsAndFiguresThenCheckPasses() throws {
    let (folder, path) = try Self.written(Self.source)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try NotebookRunner().run(path: path)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let notebook = try Notebook(parsing: text)
    #expect(notebook.rendered == text)
    #expect(notebook.blocks.allSatisfy { $0.output != nil })
    #expect(notebook.blocks[0].output!.text.contains("ratio vs float32"))
    #expect(notebook.blocks[1].output!.figures == ["loss.svg"])
    #expect(FileManager.default.fileExists(atPath: folder + "/loss.svg"))
    #expect(!text.contains(folder), "outputs hold no absolute paths")
    try NotebookRunner().check(path: path)
  }

  /// 'quit' in a block did nothing and the blocks after it ran: it is now the block's error, naming the fix.
  @Test func quitInABlockIsAnError() throws {
    let (folder, path) = try Self.written("# Q\n\n```hsq\nquit\nlist compressors\n```\n")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    #expect(throws: NotebookError.commandFailed(block: 1, line: "quit", message: "A notebook runs every block; 'quit' cannot end it early. Remove the line.")) {
      try NotebookRunner().run(path: path)
    }
  }

  @Test func checkNamesTheFirstDifferingBlock() throws {
    let (folder, path) = try Self.written(Self.source)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try NotebookRunner().run(path: path)
    let recorded = try String(contentsOfFile: path, encoding: .utf8)
    try recorded.replacingOccurrences(of: "step 3  ", with: "step 30  ").write(toFile: path, atomically: true, encoding: .utf8)
    #expect(throws: NotebookError.self) { try NotebookRunner().check(path: path) }
    try recorded.replacingOccurrences(of: "ratio vs float32", with: "ratio vs float16").write(toFile: path, atomically: true, encoding: .utf8)
    do {
      try NotebookRunner().check(path: path)
      Issue.record("check passed on a changed output")
    } catch let NotebookError.differs(block, firstLine, detail) {
      #expect(block == 1)
      #expect(firstLine == "describe hsq:dim=16,k=256 --d 1000")
      #expect(detail.contains("float16"))
    }
    try recorded.write(toFile: path, atomically: true, encoding: .utf8)
    try "<svg/>".write(toFile: folder + "/loss.svg", atomically: true, encoding: .utf8)
    do {
      try NotebookRunner().check(path: path)
      Issue.record("check passed on a changed figure")
    } catch let NotebookError.differs(block, _, detail) {
      #expect(block == 2)
      #expect(detail == "the figure loss.svg changed.")
    }
  }

  @Test func quickRunsKeepTheirOwnRecord() throws {
    let (folder, path) = try Self.written(Self.source)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let written = try NotebookRunner(quick: true).run(path: path)
    #expect(written == folder + "/quick/nb.md")
    #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.source, "a quick run leaves the notebook alone")
    #expect(FileManager.default.fileExists(atPath: folder + "/quick/loss.svg"))
    try NotebookRunner(quick: true).check(path: path)
    #expect(throws: NotebookError.differs(block: 1, firstLine: "describe hsq:dim=16,k=256 --d 1000", detail: "it has no recorded output.")) {
      try NotebookRunner().check(path: path)
    }
  }

  @Test func inputsAreReadBesideTheNotebookAndOutputsWrittenBesideTheRecord() throws {
    let (folder, path) = try Self.written("""
      ```hsq
      replay in.hsq
      experiment e model=least-squares dataset=linear:d=8,n=64 compressor=hsq:dim=4,k=16   # quick: experiment e model=least-squares dataset=linear:d=4,n=64
      step 2
      save e.safetensors
      load e.safetensors --as f
      ```

      """)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try "describe hsq --d 100\n".write(toFile: folder + "/in.hsq", atomically: true, encoding: .utf8)
    try NotebookRunner().run(path: path)
    try NotebookRunner().check(path: path)
    #expect(FileManager.default.fileExists(atPath: folder + "/e.safetensors"))
    try NotebookRunner(quick: true).run(path: path)
    #expect(FileManager.default.fileExists(atPath: folder + "/quick/e.safetensors"), "a quick run writes beside its record")
    try FileManager.default.removeItem(atPath: folder + "/quick/e.safetensors")
    try NotebookRunner(quick: true).check(path: path)
    #expect(!FileManager.default.fileExists(atPath: folder + "/quick/e.safetensors"), "a check writes into a scratch folder")
  }

  @Test func failingCommandsNameBlockAndLine() throws {
    let (folder, path) = try Self.written("```hsq\nlist compressors\n```\n```hsq\nstep\n```\n")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    do {
      try NotebookRunner().run(path: path)
      Issue.record("a failing command did not fail the run")
    } catch let NotebookError.commandFailed(block, line, _) {
      #expect(block == 2)
      #expect(line == "step")
    }
  }

  /// `text` written as `nb.md` in a fresh scratch folder; returns the folder and the file.
  static func written(_ text: String) throws -> (folder: String, path: String) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-nb-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try text.write(toFile: folder + "/nb.md", atomically: true, encoding: .utf8)
    return (folder, folder + "/nb.md")
  }
}
