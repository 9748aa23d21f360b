import Foundation
import HSQCore

/// Named columns of cells as the files `export` writes: CSV (a header line, then a line a row) or JSON
/// lines (an object a row). The one writer behind ``MetricsTable`` and ``LongMetricsTable``.
///
/// Numbers are written as integers when whole (below 10¹⁵), else in Swift's shortest round-trip form;
/// a missing number is empty in CSV and `null` in JSON, and so are NaN and infinities in JSON, which lacks them.
struct TableText {
  let columns: [String]
  let rows: [[LongMetricsTable.Cell]]

  /// The table as CSV with a header line.
  var csv: String {
    var text = columns.map(Self.quoteCSV).joined(separator: ",") + "\n"
    for row in rows {
      text += row.map { cell in
        switch cell {
        case let .text(t): return Self.quoteCSV(t)
        case let .number(v): return v.map(Self.render) ?? ""
        }
      }.joined(separator: ",") + "\n"
    }
    return text
  }

  /// One JSON object a row.
  var jsonLines: String {
    rows.map { row in
      "{" + zip(columns, row).map { name, cell in
        let value: String
        switch cell {
        case let .text(t): value = t.jsonQuoted
        case let .number(v): value = v.flatMap { $0.isFinite ? Self.render($0) : nil } ?? "null"
        }
        return "\(name.jsonQuoted): \(value)"
      }.joined(separator: ", ") + "}"
    }.joined(separator: "\n") + (rows.isEmpty ? "" : "\n")
  }

  /// Writes CSV (`.csv`) or JSON lines (`.jsonl`, `.json`, `.ndjson`) by the path's extension, atomically.
  ///
  /// - Throws: ``HSQError/unknownExtension(path:what:extensions:alternative:)`` for any other extension.
  func write(to path: String) throws {
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "csv": try AtomicFile.write(csv, to: path)
    case "jsonl", "json", "ndjson": try AtomicFile.write(jsonLines, to: path)
    default:
      throw HSQError.unknownExtension(path: path, what: "format", extensions: ["csv", "jsonl"], alternative: nil)
    }
  }

  static func render(_ value: Double) -> String {
    if !value.isFinite { return value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity") }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
  }

  static func quoteCSV(_ text: String) -> String {
    text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
  }
}
