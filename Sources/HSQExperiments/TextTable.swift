import Foundation

/// A table of strings rendered in monospaced columns, for the REPL, logs and notebooks.
///
/// ```
/// compressor  bits/step     rho
/// ──────────  ─────────  ──────
/// hsq               896    0.41
/// qsgd             2304  0.0123
/// ```
/// Columns are separated by two spaces and padded to their widest cell; a
/// rule of `─` separates the header. Columns whose cells are all numbers
/// (see ``looksNumeric(_:)``) are right-aligned unless alignments are given.
/// Newlines and tabs inside cells are shown as spaces.
///
/// Widths are counted in terminal columns, simply: every Unicode scalar is one
/// column except combining marks (general categories Mn and Me), which are
/// zero. Wide East Asian characters and emoji are therefore under-counted;
/// tables of names and numbers are not affected.
public struct TextTable: Sendable, Hashable {
  /// How the cells of a column are placed in its width.
  public enum Alignment: Sendable, Hashable {
    /// Text starts at the column's left edge.
    case left
    /// Text ends at the column's right edge (the default for numbers).
    case right
    /// Text is centered, leaning left when the gap is odd.
    case center
  }

  /// The header cells.
  public let columns: [String]
  /// The rows appended so far, each padded to ``columns``' count with empty cells.
  public private(set) var rows: [[String]] = []
  private let explicitAlignments: [Alignment]?

  /// An empty table with these column headers.
  ///
  /// - Parameters:
  ///   - columns: the header cells.
  ///   - alignments: one alignment per column; `nil` (the default) right-aligns
  ///     numeric columns and left-aligns the others. A shorter array leaves the
  ///     remaining columns to the default.
  public init(columns: [String], alignments: [Alignment]? = nil) {
    self.columns = columns
    explicitAlignments = alignments
  }

  /// Appends a row; a row with fewer cells than columns is padded with empty cells.
  ///
  /// - Parameter row: the cells, at most one per column.
  public mutating func append(_ row: [String]) {
    precondition(row.count <= columns.count, "a row of \(row.count) cells in a table of \(columns.count) columns")
    rows.append(row + Array(repeating: "", count: columns.count - row.count))
  }

  /// The alignment each column is rendered with (given, or detected from the cells).
  public var alignments: [Alignment] {
    columns.indices.map { j in
      if let given = explicitAlignments, j < given.count { return given[j] }
      let cells = rows.map { $0[j] }.filter { !$0.isEmpty }
      return !cells.isEmpty && cells.allSatisfy(Self.looksNumeric) ? .right : .left
    }
  }

  /// The table as monospaced text, one line per row (no trailing newline).
  ///
  /// When `maxWidth` is given and the table is wider, the widest columns are
  /// narrowed one column at a time until it fits, and cells that no longer fit
  /// end with `…`. A column is never narrower than one terminal column, so a
  /// table with very many columns can still exceed `maxWidth`.
  ///
  /// - Parameter maxWidth: the most terminal columns a line may take, or `nil` for no limit.
  /// - Returns: the header, the rule and the rows; every line has the same width.
  public func render(maxWidth: Int? = nil) -> String {
    let header = columns.map(Self.flatten), body = rows.map { $0.map(Self.flatten) }
    var widths = header.map(Self.displayWidth)
    for row in body { for (j, cell) in row.enumerated() { widths[j] = max(widths[j], Self.displayWidth(cell)) } }
    if let maxWidth {
      let separators = 2 * max(0, columns.count - 1)
      while widths.reduce(separators, +) > maxWidth, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }),
        widths[widest] > 1
      {
        widths[widest] -= 1
      }
    }
    let align = alignments
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { j, cell in Self.pad(Self.truncate(cell, toWidth: widths[j]), widths[j], align[j]) }
        .joined(separator: "  ")
    }
    var lines = [line(header), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")]
    lines += body.map(line)
    return lines.joined(separator: "\n")
  }

  // MARK: - Cells

  /// Whether `cell` reads as a number: a decimal or scientific literal, optionally with a
  /// `%`, `k`, `M`, `G` or `T` suffix, or `nan`, `inf`, `-inf`.
  ///
  /// - Parameter cell: the text of a cell.
  public static func looksNumeric(_ cell: String) -> Bool {
    var text = cell.trimmingCharacters(in: .whitespaces)
    if ["nan", "inf", "-inf", "+inf"].contains(text.lowercased()) { return true }
    if let last = text.last, "%kMGT".contains(last) { text.removeLast() }
    guard let first = text.first, first.isNumber || "+-.".contains(first) else { return false }
    return Double(text) != nil
  }

  /// The width of `text` in terminal columns: one per Unicode scalar, zero for combining marks (Mn, Me).
  ///
  /// - Parameter text: the text to measure.
  public static func displayWidth(_ text: String) -> Int {
    text.unicodeScalars.reduce(0) { $0 + width(of: $1) }
  }

  /// `text` cut to at most `width` terminal columns, ending with `…` when it was cut.
  ///
  /// Combining marks stay with the character they follow.
  ///
  /// - Parameters:
  ///   - text: the text to fit.
  ///   - width: the most terminal columns the result may take.
  public static func truncate(_ text: String, toWidth width: Int) -> String {
    guard displayWidth(text) > width else { return text }
    guard width > 0 else { return "" }
    var kept = String.UnicodeScalarView(), used = 0
    for scalar in text.unicodeScalars {
      let w = Self.width(of: scalar)
      if used + w > width - 1 { break }
      kept.append(scalar)
      used += w
    }
    return String(kept) + "…"
  }

  /// `text` padded with spaces to `width` columns according to `alignment` (centered text leans left).
  public static func pad(_ text: String, _ width: Int, _ alignment: Alignment) -> String {
    let gap = max(0, width - displayWidth(text))
    switch alignment {
    case .left: return text + String(repeating: " ", count: gap)
    case .right: return String(repeating: " ", count: gap) + text
    case .center: return String(repeating: " ", count: gap / 2) + text + String(repeating: " ", count: gap - gap / 2)
    }
  }

  /// The cell with newlines, carriage returns and tabs replaced by spaces.
  public static func flatten(_ cell: String) -> String {
    String(String.UnicodeScalarView(cell.unicodeScalars.map { "\n\r\t".unicodeScalars.contains($0) ? " " : $0 }))
  }

  private static func width(of scalar: Unicode.Scalar) -> Int {
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark: return 0
    default: return 1
    }
  }
}
