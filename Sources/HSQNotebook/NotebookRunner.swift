import Foundation
import HSQCommands
import HSQCore

/// Runs a notebook's `hsq` blocks in one ``Session``, records their outputs, or checks them against a record.
///
/// Every block runs in the same session, in order; the session omits wall times so
/// a re-run prints the same text. Figures a command writes (`plot … --svg FILE`) are
/// written beside the record and linked after the block's text.
///
/// **Quick mode.** A notebook whose full run is too long for CI declares quick
/// settings on its command lines (`run --epochs 10   # quick: run --epochs 0.2`).
/// A quick run executes the replacements and keeps its record, with its figures,
/// in the `quick/` folder beside the notebook, so the committed full outputs are
/// never overwritten and a quick check is as exact as a full one. A notebook
/// without quick settings is its own quick record.
public struct NotebookRunner {
  /// Execute the `# quick:` replacements.
  public var quick: Bool
  /// Called before each block with its 1-based index, the count and its first line.
  public var progress: (Int, Int, String) -> Void = { _, _, _ in }
  /// Let the notebook compile and load add-ons (`load FILE.swift`); without it such a line fails.
  public var allowLoad = false
  /// Stops the run between commands, or inside a long one (the shell gives it Ctrl-C).
  public var cancellation = Cancellation()

  public init(quick: Bool = false) {
    self.quick = quick
  }

  /// Where the record of the notebook at `path` lives: the file itself, or `quick/NAME` beside it in quick mode.
  public func recordPath(for path: String, notebook: Notebook) -> String {
    guard quick, notebook.hasQuickSettings else { return path }
    let url = URL(fileURLWithPath: path)
    return url.deletingLastPathComponent().appendingPathComponent("quick").appendingPathComponent(url.lastPathComponent).path
  }

  /// Runs the notebook at `path` and writes its record (the notebook itself, or the quick record) atomically.
  ///
  /// - Returns: the path written.
  @discardableResult
  public func run(path: String) throws -> String {
    let notebook = try Self.read(path)
    let record = recordPath(for: path, notebook: notebook)
    let folder = Self.folder(of: record)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var outputs: [Notebook.BlockOutput] = []
    try execute(notebook, path: path, inputs: Self.folder(of: path), outputs: folder) { _, _, output in outputs.append(output) }
    try AtomicFile.write(notebook.withOutputs(outputs).rendered, to: record)
    return record
  }

  /// Re-runs the notebook at `path` in a scratch folder and compares every block and figure with its record.
  ///
  /// The run may write only inside the scratch folder (absolute paths and `..` are refused).
  ///
  /// - Throws: ``NotebookError/differs(block:firstLine:detail:)`` for the first block whose output changed;
  ///   ``NotebookError/noBlocks(path:)`` when there is nothing to check.
  public func check(path: String) throws {
    let notebook = try Self.read(path)
    guard !notebook.blocks.isEmpty else { throw NotebookError.noBlocks(path: path) }
    let recordFile = recordPath(for: path, notebook: notebook)
    guard FileManager.default.fileExists(atPath: recordFile) else { throw NotebookError.missingRecord(path: recordFile) }
    let record = try Self.read(recordFile)
    guard record.blocks.map(\.source) == notebook.blocks.map(\.source) else {
      throw NotebookError.differs(block: 0, firstLine: "", detail: "the record at \(recordFile) has other commands than \(path); run the notebook again\(quick ? " with --quick" : "").")
    }
    let recordFolder = Self.folder(of: recordFile)
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-notebook-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let recorded = record.blocks
    try execute(notebook, path: path, inputs: Self.folder(of: path), outputs: scratch, confined: true) { index, block, output in
      let detail = Self.difference(expected: recorded[index - 1].output, actual: output, recordFolder: recordFolder, runFolder: scratch)
      if let detail { throw NotebookError.differs(block: index, firstLine: block.firstLine, detail: detail) }
    }
  }

  /// Runs every block of the notebook at `path` in one session; `each` gets (1-based index, block, output).
  ///
  /// Relative paths are read from `inputs` (the notebook's folder, e.g. a codebook file or Swift source beside
  /// it) and written to `outputs` (the record's folder, or a scratch folder when checking); with `confined`,
  /// nowhere else. The notebook's file is on the session's file stack, so a block cannot replay it.
  public func execute(
    _ notebook: Notebook, path: String, inputs: String, outputs folder: String, confined: Bool = false,
    each: (Int, Notebook.CodeBlock, Notebook.BlockOutput) throws -> Void
  ) throws {
    let session = Session()
    session.workingDirectory = inputs
    session.outputDirectory = folder
    session.confinesWrites = confined
    session.showsTimings = false
    session.allowsLoadFromFiles = allowLoad
    session.quitRefusal = "A notebook runs every block; 'quit' cannot end it early. Remove the line."
    session.cancellation = cancellation
    cancellation.reset()
    let blocks = notebook.blocks
    try cancellation.whileCurrent {
      try session.running(file: URL(fileURLWithPath: path).path, shown: path) {
        for (i, block) in blocks.enumerated() {
          progress(i + 1, blocks.count, block.firstLine)
          var texts: [String] = []
          var figures: [String] = []
          for command in block.commands(quick: quick) {
            let output = session.execute(command)
            if cancellation.isCancelled { throw NotebookError.interrupted(block: i + 1, line: command) }
            if let error = output.error { throw NotebookError.commandFailed(block: i + 1, line: command, message: error) }
            if !output.text.isEmpty { texts.append(output.text) }
            figures += output.files.filter { $0.hasSuffix(".svg") }.map { Self.relative($0, to: folder) }
          }
          try each(i + 1, block, Notebook.BlockOutput(text: texts.joined(separator: "\n\n"), figures: figures))
        }
      }
    }
  }

  /// Why `actual` differs from `expected`, or `nil` when text, figure names and figure bytes are the same.
  static func difference(expected: Notebook.BlockOutput?, actual: Notebook.BlockOutput, recordFolder: String, runFolder: String) -> String? {
    guard let expected else { return "it has no recorded output." }
    if expected.text != actual.text {
      let old = expected.text.components(separatedBy: "\n"), new = actual.text.components(separatedBy: "\n")
      let line = (0..<min(old.count, new.count)).first { old[$0] != new[$0] } ?? min(old.count, new.count)
      let was = line < old.count ? old[line] : "(end of output)", now = line < new.count ? new[line] : "(end of output)"
      return "output line \(line + 1) was '\(was)', now '\(now)'."
    }
    if expected.figures != actual.figures {
      return "figures were \(expected.figures), now \(actual.figures)."
    }
    for figure in expected.figures {
      let old = FileManager.default.contents(atPath: recordFolder + "/" + figure)
      let new = FileManager.default.contents(atPath: runFolder + "/" + figure)
      if old == nil { return "the figure \(figure) is missing beside the record." }
      if old != new { return "the figure \(figure) changed." }
    }
    return nil
  }

  static func read(_ path: String) throws -> Notebook {
    let bytes = try FileBytes.read(path)
    do {
      return try Notebook(parsing: String(decoding: bytes, as: UTF8.self))
    } catch let NotebookError.malformed(line, problem) {
      throw NotebookError.malformed(line: line, problem: "\(path): \(problem)")
    }
  }

  /// The folder holding `path`.
  static func folder(of path: String) -> String {
    URL(fileURLWithPath: path).deletingLastPathComponent().path
  }

  /// `path` relative to `folder` when inside it.
  static func relative(_ path: String, to folder: String) -> String {
    let prefix = folder.hasSuffix("/") ? folder : folder + "/"
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
  }
}
