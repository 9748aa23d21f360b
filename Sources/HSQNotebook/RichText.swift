import Foundation

/// The HTML form of a command's text: its monospaced tables as HTML tables, the other lines as preformatted text.
///
/// A table is recognised by its rule, a line of `─` runs two spaces apart under a header line (how
/// ``TextTable`` renders); the rule gives the columns, and the lines below it whose column gaps are
/// blank are its rows. A cell padded on the left (a number) is right-aligned.
public enum RichText {
  /// The HTML, or `nil` when the text holds no table (it is plain text then).
  public static func html(_ text: String) -> String? {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
    var parts: [String] = []
    var plain: [String] = []
    var foundTable = false
    func flushPlain() {
      if !plain.isEmpty { parts.append("<pre>" + escape(plain.joined(separator: "\n")) + "</pre>") }
      plain = []
    }
    var i = 0
    while i < lines.count {
      if i + 1 < lines.count, let columns = columns(ofRule: lines[i + 1]), fits(lines[i], columns) {
        var end = i + 2
        while end < lines.count, !String(lines[end]).trimmingCharacters(in: .whitespaces).isEmpty, fits(lines[end], columns) { end += 1 }
        flushPlain()
        parts.append(table(header: lines[i], rows: Array(lines[(i + 2)..<end]), columns: columns))
        foundTable = true
        i = end
      } else {
        plain.append(String(lines[i]))
        i += 1
      }
    }
    flushPlain()
    return foundTable ? "<div class=\"hsq-output\">" + parts.joined() + "</div>" : nil
  }

  /// The character ranges of the columns when `line` is a table rule.
  static func columns(ofRule line: [Character]) -> [Range<Int>]? {
    var end = line.count
    while end > 0, line[end - 1] == " " { end -= 1 }
    guard end > 0, line[0] == "─" else { return nil }
    var columns: [Range<Int>] = []
    var start = 0
    var j = 0
    while j < end {
      if line[j] == "─" { j += 1; continue }
      guard j + 2 < end, line[j] == " ", line[j + 1] == " ", line[j + 2] == "─" else { return nil }
      columns.append(start..<j)
      j += 2
      start = j
    }
    columns.append(start..<end)
    return columns
  }

  /// Whether `line`'s characters between the columns are blank.
  static func fits(_ line: [Character], _ columns: [Range<Int>]) -> Bool {
    zip(columns, columns.dropFirst()).allSatisfy { a, b in (a.upperBound..<b.lowerBound).allSatisfy { $0 >= line.count || line[$0] == " " } }
  }

  static func table(header: [Character], rows: [[Character]], columns: [Range<Int>]) -> String {
    func cells(_ line: [Character], _ tag: String) -> String {
      columns.enumerated().map { j, range -> String in
        let upper = j == columns.count - 1 ? max(line.count, range.upperBound) : range.upperBound
        let slot = range.lowerBound < line.count ? String(line[range.lowerBound..<min(upper, line.count)]) : ""
        let cell = slot.trimmingCharacters(in: .whitespaces)
        let right = !cell.isEmpty && slot.hasPrefix(" ") && !slot.hasSuffix(" ")
        return "<\(tag)\(right ? " style=\"text-align:right\"" : "")>\(escape(cell))</\(tag)>"
      }.joined()
    }
    return "<table><thead><tr>" + cells(header, "th") + "</tr></thead><tbody>"
      + rows.map { "<tr>" + cells($0, "td") + "</tr>" }.joined() + "</tbody></table>"
  }

  static func escape(_ text: String) -> String {
    var out = ""
    for c in text {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default: out.append(c)
      }
    }
    return out
  }
}
