import HSQCore

/// A comma-separated text file split into cells, one row per line, with its header if any.
///
/// Cells may be quoted with `"` (RFC 4180: a doubled `""` is a quote inside a
/// quoted cell, a delimiter inside quotes is text); fields spanning lines are
/// not supported. Unquoted cells are trimmed of spaces. Blank lines are
/// skipped; `\r\n` line ends are accepted.
struct CSVFile {
  let path: String
  /// The header's cells, when the first row is a header.
  let header: [String]?
  /// The data rows with their 1-based line numbers.
  let rows: [(line: Int, cells: [String])]
  /// Number of cells every row must have (the first row's).
  let columns: Int

  /// Reads and splits `path` (gzip or plain text).
  ///
  /// - Parameter header: `true`, `false`, or `nil` to detect it: the first row is a header when one
  ///   of its cells is not a number while the same cell of the second row is.
  init(path: String, delimiter: UInt8, header: Bool?) throws {
    self.path = path
    let bytes = try DataFile(path: path).bytes
    // Each cell becomes a String of 16 bytes or more, and takes at least 2 bytes of text ("0,").
    try MemoryBudget.current.check(
      9 * .bytes(bytes.count), for: "'\(path)'", detail: "its \(bytes.count) bytes of text split into cells", fix: "Use a smaller file")
    var rows: [(line: Int, cells: [String])] = []
    var line = 0, start = 0
    while start < bytes.count {
      var end = start
      while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
      line += 1
      if line & 4095 == 0 { try Cancellation.checkCurrent() }
      var slice = bytes[start..<end]
      if slice.last == UInt8(ascii: "\r") { slice = slice.dropLast() }
      if slice.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) {
        rows.append((line, try CSVFile.cells(slice, delimiter: delimiter, path: path, line: line)))
      }
      start = end + 1
    }
    guard let first = rows.first else {
      throw HSQError.fileFormat(path: path, position: nil, problem: "the file has no rows; give a CSV file with data.")
    }
    let isHeader = header ?? {
      guard rows.count > 1 else { return false }
      let second = rows[1].cells
      return first.cells.indices.contains { j in
        Double(first.cells[j]) == nil && j < second.count && Double(second[j]) != nil
      }
    }()
    self.header = isHeader ? first.cells : nil
    self.rows = isHeader ? Array(rows.dropFirst()) : rows
    columns = first.cells.count
    for row in rows where row.cells.count != columns {
      throw HSQError.fileFormat(
        path: path, position: "line \(row.line)",
        problem: "the row has \(row.cells.count) cells, but line \(first.line) has \(columns); every row needs the same number of cells (a missing or extra delimiter, or a quote not closed?).")
    }
  }

  /// The cells of one line.
  static func cells(_ text: ArraySlice<UInt8>, delimiter: UInt8, path: String, line: Int) throws -> [String] {
    let quote = UInt8(ascii: "\"")
    func fail(_ at: Int, _ problem: String) -> HSQError {
      .fileFormat(path: path, position: "line \(line), character \(at - text.startIndex + 1)", problem: problem)
    }
    var cells: [String] = []
    var i = text.startIndex
    while true {
      while i < text.endIndex, text[i] == UInt8(ascii: " ") { i += 1 }
      if i < text.endIndex, text[i] == quote {
        let opened = i
        var cell = [UInt8]()
        i += 1
        while true {
          guard i < text.endIndex else {
            throw fail(opened, "the quote opened here is not closed on this line; close it (cells cannot span lines).")
          }
          if text[i] == quote {
            if i + 1 < text.endIndex, text[i + 1] == quote { cell.append(quote); i += 2; continue }
            i += 1
            break
          }
          cell.append(text[i])
          i += 1
        }
        while i < text.endIndex, text[i] == UInt8(ascii: " ") { i += 1 }
        guard i == text.endIndex || text[i] == delimiter else {
          throw fail(i, "text follows a closing quote; put the whole cell inside the quotes.")
        }
        cells.append(String(decoding: cell, as: UTF8.self))
      } else {
        let from = i
        while i < text.endIndex, text[i] != delimiter { i += 1 }
        cells.append(String(decoding: text[from..<i], as: UTF8.self).trimmingWhitespace())
      }
      guard i < text.endIndex else { return cells }
      i += 1  // the delimiter
    }
  }

  /// The 0-based column that `spec` names: `first`, `last`, a column number from 1, or a header name.
  func column(named spec: String) throws -> Int {
    if let header, let j = header.firstIndex(of: spec) { return j }
    switch spec {
    case "first": return 0
    case "last": return columns - 1
    default: break
    }
    if let n = Int(spec) {
      guard (1...columns).contains(n) else {
        throw HSQError.invalidParameter(
          component: "csv", parameter: "label-column",
          problem: "column \(n) does not exist: '\(path)' has \(columns) columns, numbered from 1.")
      }
      return n - 1
    }
    let known = header ?? []
    let hint = closestMatch(to: spec, in: known).map { " Did you mean '\($0)'?" } ?? ""
    let shown = known.prefix(10).map { "'\(clipped($0, limit: fileTextLimit))'" } + (known.count > 10 ? ["…"] : [])
    let names = known.isEmpty ? "the file has no header" : "the header names " + shown.joined(separator: ", ")
    throw HSQError.invalidParameter(
      component: "csv", parameter: "label-column",
      problem: "'\(spec)' is not a column: \(names); give a header name, a column number from 1, 'first' or 'last'.\(hint)")
  }

  /// Features from every column but `labelColumn`, and the label texts.
  ///
  /// - Parameter numericLabels: whether labels must be numbers (regression).
  func rows(labelColumn: Int, numericLabels: Bool) throws -> LabeledRows {
    let featureCount = columns - 1
    guard featureCount >= 1 else {
      throw HSQError.fileFormat(path: path, position: nil, problem: "the file has one column, the label; a dataset needs at least one feature column.")
    }
    guard rows.count * featureCount <= Datasets.maximumValues else {
      throw HSQError.fileFormat(path: path, position: nil, problem: "\(rows.count) rows × \(featureCount) features is too large to hold (more than 2^30 values).")
    }
    try Datasets.checkMemory(rows: rows.count, features: featureCount, of: "'\(path)'", fix: "Use a subset of the file or fewer columns")
    var features = [Float]()
    features.reserveCapacity(rows.count * featureCount)
    var labels = [String]()
    labels.reserveCapacity(rows.count)
    for row in rows {
      for (j, cell) in row.cells.enumerated() {
        let isLabel = j == labelColumn
        if isLabel && !numericLabels { labels.append(cell); continue }
        guard let value = Float(cell), value.isFinite else {
          let name = header.map { " ('\(clipped($0[j], limit: fileTextLimit))')" } ?? ""
          let role = isLabel ? "the label, and 'task=regression' needs numeric targets" : "a feature, and features must be numbers"
          let what = cell.isEmpty ? "the cell is empty" : "'\(clipped(cell, limit: fileTextLimit))' is not a finite number"
          throw HSQError.fileFormat(
            path: path, position: "line \(row.line), column \(j + 1)\(name)",
            problem: "\(what); this column is \(role). Fix the cell or remove the row.")
        }
        if isLabel { labels.append(cell) } else { features.append(value) }
      }
    }
    return LabeledRows(
      path: path, count: rows.count, featureCount: featureCount, features: features,
      labels: LabeledRows.rawLabels(labels))
  }
}
