import Foundation
import HSQCore

/// A Jupyter notebook in nbformat 4.5: markdown cells, and code cells with their recorded outputs.
///
/// Text output becomes a `stream` output on stdout, or a `display_data` output with `text/plain` and
/// `text/html` when it holds tables; each SVG figure a `display_data` output with `image/svg+xml`,
/// and as its `text/plain` the terminal plot the command printed with it (else its file name), so
/// HTML and notebook front ends show the SVG and never the braille plot. The cells keep the
/// notebook's order; cell ids are `cell-1`, `cell-2`, … so an export is deterministic.
public struct JupyterNotebook: Encodable, Sendable {
  public struct Cell: Encodable, Sendable {
    public var id: String
    /// `markdown` or `code`.
    public var kind: String
    public var source: [String]
    public var executionCount: Int?
    public var outputs: [Output]

    enum CodingKeys: String, CodingKey {
      case id, metadata, source, outputs
      case kind = "cell_type"
      case executionCount = "execution_count"
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(id, forKey: .id)
      try c.encode(kind, forKey: .kind)
      try c.encode([String: String](), forKey: .metadata)
      try c.encode(source, forKey: .source)
      if kind == "code" {
        try c.encode(executionCount, forKey: .executionCount)
        try c.encode(outputs, forKey: .outputs)
      }
    }
  }

  /// A `stream` output (text), or a `display_data` output: an SVG figure, or text holding tables
  /// (`text/plain` and its ``RichText`` HTML, as the kernel shows it).
  public struct Output: Encodable, Sendable {
    public var text: [String]?
    public var svg: String?
    public var name: String?
    public var html: String?

    enum CodingKeys: String, CodingKey {
      case outputType = "output_type", name, text, data, metadata
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      if let svg {
        try c.encode("display_data", forKey: .outputType)
        try c.encode(["image/svg+xml": svg, "text/plain": text?.joined() ?? name ?? "figure"], forKey: .data)
        try c.encode([String: String](), forKey: .metadata)
      } else if let html {
        try c.encode("display_data", forKey: .outputType)
        try c.encode(["text/html": [html], "text/plain": text ?? []], forKey: .data)
        try c.encode([String: String](), forKey: .metadata)
      } else {
        try c.encode("stream", forKey: .outputType)
        try c.encode("stdout", forKey: .name)
        try c.encode(text ?? [], forKey: .text)
      }
    }
  }

  /// The kernelspec and language of ``JupyterKernelSpec``, as `hsq-repl kernel` reports them.
  struct Metadata: Encodable, Sendable {
    struct Kernel: Encodable, Sendable {
      var name = JupyterKernelSpec.name, display_name = JupyterKernelSpec.displayName, language = JupyterKernelSpec.language
    }
    struct Language: Encodable, Sendable {
      var name = JupyterKernelSpec.language, mimetype = JupyterKernelSpec.mimetype, file_extension = JupyterKernelSpec.fileExtension
      var pygments_lexer = JupyterKernelSpec.pygmentsLexer, codemirror_mode = JupyterKernelSpec.codemirrorMode
    }
    var kernelspec = Kernel()
    var language_info = Language()
  }

  public var cells: [Cell]
  var metadata = Metadata()
  var nbformat = 4
  var nbformat_minor = 5

  enum CodingKeys: String, CodingKey { case cells, metadata, nbformat, nbformat_minor }

  /// The Jupyter form of `notebook`; `figure` returns the SVG text of a figure path (relative to the notebook).
  public init(_ notebook: Notebook, figure: (String) throws -> String) throws {
    cells = []
    var block = 0
    for cell in notebook.cells {
      let id = "cell-\(cells.count + 1)"
      switch cell {
      case let .prose(lines):
        var lines = lines
        while lines.first?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeFirst() }
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        if lines.isEmpty { continue }
        cells.append(Cell(id: id, kind: "markdown", source: Self.sourceLines(lines.joined(separator: "\n")), outputs: []))
      case let .code(code):
        block += 1
        var outputs: [Output] = []
        if let output = code.output { outputs = try Self.outputs(of: output, figure: figure) }
        cells.append(Cell(id: id, kind: "code", source: Self.sourceLines(code.source.joined(separator: "\n")),
                          executionCount: code.output == nil ? nil : block, outputs: outputs))
      }
    }
  }

  /// A block's outputs in order: its text, cut where a command wrote a figure.
  ///
  /// The paragraph ending with the line `Wrote FIGURE.` (the terminal plot `plot … --svg FIGURE`
  /// printed) goes with that figure as its `text/plain`; the text before and after it stays text
  /// (a `stream`, or `text/html` too when it holds tables). A figure without such a line follows
  /// the text, with its path as `text/plain`.
  static func outputs(of output: Notebook.BlockOutput, figure: (String) throws -> String) throws -> [Output] {
    var outputs: [Output] = []
    func text(_ lines: ArraySlice<String>) {
      var lines = lines
      while lines.first?.isEmpty == true { lines.removeFirst() }
      while lines.last?.isEmpty == true { lines.removeLast() }
      guard !lines.isEmpty else { return }
      let text = lines.joined(separator: "\n")
      if let html = RichText.html(text) {
        outputs.append(Output(text: Self.sourceLines(text), html: html))
      } else {
        outputs.append(Output(text: Self.sourceLines(text + "\n")))
      }
    }
    let lines = output.text.isEmpty ? [] : output.text.components(separatedBy: "\n")
    var start = 0
    var unplaced: [String] = []
    for path in output.figures {
      guard let end = lines[start...].firstIndex(of: "Wrote \(path).") else {
        unplaced.append(path)
        continue
      }
      let paragraph = (lines[start..<end].lastIndex(of: "").map { $0 + 1 }) ?? start
      text(lines[start..<paragraph])
      outputs.append(Output(text: Self.sourceLines(lines[paragraph...end].joined(separator: "\n")), svg: try figure(path), name: path))
      start = end + 1
    }
    text(lines[start...])
    for path in unplaced { outputs.append(Output(svg: try figure(path), name: path)) }
    return outputs
  }

  /// Pretty-printed JSON with sorted keys.
  public func json() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(self) + Data("\n".utf8)
  }

  /// Text as nbformat's list of lines, each but the last ending in a newline.
  static func sourceLines(_ text: String) -> [String] {
    var lines = text.components(separatedBy: "\n")
    if lines.last == "" { lines.removeLast() }
    let endsWithNewline = text.hasSuffix("\n")
    return lines.enumerated().map { i, line in i < lines.count - 1 || endsWithNewline ? line + "\n" : line }
  }
}

extension JupyterNotebook {
  /// Writes the notebook at `path`, with its recorded outputs and figures, as an `.ipynb` file at `destination` (atomically).
  ///
  /// With `quick`, the quick record is exported and every line with a `# quick:` setting is replaced by the
  /// setting, so running the `.ipynb` in the kernel gives the outputs it holds.
  public static func export(notebookAt path: String, to destination: String, quick: Bool = false) throws {
    var notebook = try NotebookRunner.read(path)
    let record = NotebookRunner(quick: quick).recordPath(for: path, notebook: notebook)
    if quick {
      notebook = try NotebookRunner.read(record)
      notebook.cells = notebook.cells.map { cell in
        guard case var .code(block) = cell else { return cell }
        block.source = block.source.map { Notebook.quickSetting(in: $0) ?? $0 }
        return .code(block)
      }
    }
    let folder = NotebookRunner.folder(of: record)
    let jupyter = try JupyterNotebook(notebook) { figure in
      guard let data = FileManager.default.contents(atPath: folder + "/" + figure) else {
        throw NotebookError.missingRecord(path: folder + "/" + figure)
      }
      return String(decoding: data, as: UTF8.self)
    }
    try AtomicFile.write(try jupyter.json(), to: destination)
  }
}
