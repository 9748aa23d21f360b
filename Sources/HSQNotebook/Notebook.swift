import Foundation
import HSQCore

/// A Markdown notebook: prose, and fenced `hsq` blocks of REPL commands with their recorded output.
///
/// A block's output sits right after it, between generated markers:
///
/// ````
/// ```hsq
/// tour
/// step 20
/// ```
/// <!-- hsq:output -->
/// ```text
/// … what the commands printed …
/// ```
/// ![loss.svg](loss.svg)
/// <!-- hsq:end -->
/// ````
///
/// Parsing and rendering are inverses: `Notebook(parsing: n.rendered) == n`, and a
/// rendered file parses and renders back to the same bytes. Everything outside the
/// markers belongs to the author and is kept verbatim.
///
/// A command line may carry a quick setting for CI, `run --epochs 10   # quick: run --epochs 0.2`:
/// a full run executes the line as written (the tokenizer drops the comment), a
/// quick run executes what follows `# quick:` instead.
public struct Notebook: Sendable, Hashable {
  /// A run of prose or one code block.
  public enum Cell: Sendable, Hashable {
    /// Markdown lines, verbatim.
    case prose([String])
    case code(CodeBlock)
  }

  /// One fenced `hsq` block.
  public struct CodeBlock: Sendable, Hashable {
    /// The lines between the fences, verbatim.
    public var source: [String]
    /// The recorded output, `nil` when the block has not been run.
    public var output: BlockOutput?

    public init(source: [String], output: BlockOutput? = nil) {
      self.source = source
      self.output = output
    }

    /// The first non-empty line, to name the block in messages.
    public var firstLine: String {
      source.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? ""
    }

    /// The command lines to execute: blank lines and comment lines skipped, quick settings applied when `quick`.
    public func commands(quick: Bool) -> [String] {
      source.compactMap { raw in
        let line = raw.trimmingCharacters(in: .whitespaces)
        if line.isEmpty || line.hasPrefix("#") { return nil }
        if quick, let setting = Notebook.quickSetting(in: line) { return setting }
        return line
      }
    }
  }

  /// What a block printed, and the figures it wrote (paths relative to the notebook).
  public struct BlockOutput: Sendable, Hashable {
    public var text: String
    public var figures: [String]

    public init(text: String, figures: [String] = []) {
      self.text = text
      self.figures = figures
    }
  }

  public var cells: [Cell]

  public init(cells: [Cell]) {
    self.cells = cells
  }

  /// The code blocks in order.
  public var blocks: [CodeBlock] {
    cells.compactMap { if case let .code(b) = $0 { return b } else { return nil } }
  }

  /// Whether any line declares a quick setting.
  public var hasQuickSettings: Bool {
    blocks.contains { $0.source.contains { Self.quickSetting(in: $0) != nil } }
  }

  /// The replacement after `# quick:` in `line`, if any.
  static func quickSetting(in line: String) -> String? {
    guard let range = line.range(of: "# quick:") else { return nil }
    let setting = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
    return setting.isEmpty ? nil : setting
  }

  /// Replaces the outputs of the code blocks, in order.
  public func withOutputs(_ outputs: [BlockOutput?]) -> Notebook {
    var copy = self
    var i = 0
    for (index, cell) in cells.enumerated() {
      guard case var .code(block) = cell else { continue }
      block.output = i < outputs.count ? outputs[i] : nil
      copy.cells[index] = .code(block)
      i += 1
    }
    return copy
  }
}

extension Notebook {
  static let openFence = "```hsq"
  static let fence = "```"
  static let outputMarker = "<!-- hsq:output -->"
  static let endMarker = "<!-- hsq:end -->"

  /// Parses Markdown text.
  ///
  /// - Throws: ``NotebookError/malformed(line:problem:)`` for an unclosed block or output section.
  public init(parsing text: String) throws {
    var lines = text.textLines
    if lines.last == "" { lines.removeLast() }
    var cells: [Cell] = []
    var prose: [String] = []
    var i = 0
    func flushProse() {
      if !prose.isEmpty { cells.append(.prose(prose)) }
      prose = []
    }
    while i < lines.count {
      guard lines[i].trimmingCharacters(in: .whitespaces) == Self.openFence else {
        prose.append(lines[i])
        i += 1
        continue
      }
      let start = i + 1
      guard let close = lines[start...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == Self.fence }) else {
        throw NotebookError.malformed(line: i + 1, problem: "the ```hsq block is not closed; end it with a line of ```.")
      }
      var block = CodeBlock(source: Array(lines[start..<close]))
      i = close + 1
      if i < lines.count, lines[i] == Self.outputMarker {
        guard let end = lines[(i + 1)...].firstIndex(of: Self.endMarker) else {
          throw NotebookError.malformed(line: i + 1, problem: "the output section has no '\(Self.endMarker)'; run the notebook again to regenerate it.")
        }
        block.output = try Self.parseOutput(Array(lines[(i + 1)..<end]), firstLine: i + 2)
        i = end + 1
      }
      flushProse()
      cells.append(.code(block))
    }
    flushProse()
    self.init(cells: cells)
  }

  static func parseOutput(_ lines: [String], firstLine: Int) throws -> BlockOutput {
    var output = BlockOutput(text: "")
    var i = 0
    while i < lines.count {
      let line = lines[i]
      if line == "```text" {
        guard let close = lines[(i + 1)...].firstIndex(of: Self.fence) else {
          throw NotebookError.malformed(line: firstLine + i, problem: "the output text is not closed; run the notebook again to regenerate it.")
        }
        output.text = lines[(i + 1)..<close].joined(separator: "\n")
        i = close + 1
      } else if line.hasPrefix("!["), let open = line.lastIndex(of: "("), line.hasSuffix(")") {
        output.figures.append(String(line[line.index(after: open)..<line.index(before: line.endIndex)]))
        i += 1
      } else {
        throw NotebookError.malformed(line: firstLine + i, problem: "unexpected line in a generated output section; run the notebook again to regenerate it.")
      }
    }
    return output
  }

  /// The Markdown text, outputs between their markers.
  public var rendered: String {
    var lines: [String] = []
    for cell in cells {
      switch cell {
      case let .prose(text): lines += text
      case let .code(block):
        lines.append(Self.openFence)
        lines += block.source
        lines.append(Self.fence)
        if let output = block.output {
          lines.append(Self.outputMarker)
          if !output.text.isEmpty { lines += ["```text", output.text, Self.fence] }
          lines += output.figures.map { "![\($0)](\($0))" }
          lines.append(Self.endMarker)
        }
      }
    }
    return lines.map { $0 + "\n" }.joined()
  }
}
