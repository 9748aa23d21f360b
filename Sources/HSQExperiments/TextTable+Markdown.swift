import Foundation

extension TextTable {
  /// The table as a GitHub-flavoured Markdown table, for notebooks.
  ///
  /// ```
  /// | compressor | bits/step |
  /// | :--------- | --------: |
  /// | hsq        |       896 |
  /// ```
  /// Alignment goes into the rule row (`:---` left, `---:` right, `:---:`
  /// centered); cells are padded so the source reads as a table too. Pipes in
  /// cells are escaped as `\|`; newlines and tabs become spaces. Cells are never truncated.
  public var markdown: String {
    let header = columns.map(Self.markdownCell), body = rows.map { $0.map(Self.markdownCell) }
    var widths = header.map { max(3, Self.displayWidth($0)) }
    for row in body { for (j, cell) in row.enumerated() { widths[j] = max(widths[j], Self.displayWidth(cell)) } }
    let align = alignments
    func line(_ cells: [String]) -> String {
      "| " + cells.enumerated().map { j, cell in Self.pad(cell, widths[j], align[j] == .right ? .right : .left) }
        .joined(separator: " | ") + " |"
    }
    let rule = widths.enumerated().map { j, w -> String in
      switch align[j] {
      case .left: return ":" + String(repeating: "-", count: w - 1)
      case .right: return String(repeating: "-", count: w - 1) + ":"
      case .center: return ":" + String(repeating: "-", count: w - 2) + ":"
      }
    }
    return ([line(header), "| " + rule.joined(separator: " | ") + " |"] + body.map(line)).joined(separator: "\n")
  }

  private static func markdownCell(_ cell: String) -> String {
    flatten(cell).replacingOccurrences(of: "|", with: "\\|")
  }
}
