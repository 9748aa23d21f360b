import HSQCore

/// A file in the sparse LIBSVM / SVMlight text format, parsed and checked.
///
/// ```
/// <label> <index>:<value> <index>:<value> …   # optional comment
/// ```
///
/// Indices are whole numbers from 1 (column `index − 1` of the dense matrix);
/// omitted indices are 0. `qid:` tokens (ranking files) are skipped. Blank
/// lines and lines holding only a comment are skipped.
struct LibSVMFile {
  let path: String
  /// Label of each row.
  var labels: [Double] = []
  /// Row `r`'s entries are `entries[rowStarts[r]..<rowStarts[r + 1]]`.
  var rowStarts: [Int] = [0]
  var indices: [Int32] = []
  var values: [Float] = []
  /// The largest index seen (0 when every row is empty).
  var maxIndex = 0

  var count: Int { labels.count }

  /// Reads and parses `path` (gzip or plain text).
  ///
  /// - Parameter features: when given, the largest allowed index.
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` naming the line and column of a bad token.
  init(path: String, features: Int?) throws {
    self.path = path
    let bytes = try DataFile(path: path).bytes
    var line = 0
    var start = 0
    while start < bytes.count {
      var end = start
      while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
      line += 1
      if line & 4095 == 0 { try Cancellation.checkCurrent() }
      try parseLine(bytes[start..<end], line: line, lineStart: start, features: features)
      start = end + 1
    }
  }

  private mutating func parseLine(_ text: ArraySlice<UInt8>, line: Int, lineStart: Int, features: Int?) throws {
    func fail(_ column: Int, _ problem: String) -> HSQError {
      .fileFormat(path: path, position: "line \(line), column \(column)", problem: problem)
    }
    let tokens = Self.tokens(text, lineStart: lineStart)
    guard let first = tokens.first else { return }
    guard let label = Double(first.text), label.isFinite else {
      throw fail(first.column, "the label '\(clipped(first.text, limit: fileTextLimit))' is not a number; a LIBSVM line starts with its label, e.g. '+1 3:0.5 7:1'.")
    }
    let rowStart = indices.count
    var sorted = true
    var last = 0
    for token in tokens.dropFirst() {
      guard let (index, value) = try feature(token.text, features: features, fail: { fail(token.column, $0) }) else { continue }
      if index <= last { sorted = false }
      last = index
      maxIndex = max(maxIndex, index)
      indices.append(Int32(index - 1))
      values.append(value)
    }
    if !sorted, let duplicate = sortRow(from: rowStart) {
      throw fail(first.column, "the index \(duplicate + 1) appears twice on this line; give each index once.")
    }
    labels.append(label)
    rowStarts.append(indices.count)
  }

  /// The 1-based index and the value of an `index:value` token; `nil` for a `qid:` token. `fail` makes the error for a problem.
  private func feature(_ text: String, features: Int?, fail: (String) -> HSQError) throws -> (index: Int, value: Float)? {
    guard let colon = text.firstIndex(of: ":") else {
      throw fail("'\(clipped(text, limit: fileTextLimit))' is not index:value; write each feature as 'index:value', e.g. '3:0.5'.")
    }
    let key = text[..<colon], valueText = text[text.index(after: colon)...]
    if key == "qid" { return nil }
    guard let index = Int(key) else {
      throw fail("the index in '\(clipped(text, limit: fileTextLimit))' is not a whole number; write 'index:value' with index 1, 2, 3, ….")
    }
    guard index >= 1 else {
      throw fail("the index in '\(clipped(text, limit: fileTextLimit))' is \(index), but LIBSVM indices start at 1.")
    }
    if let features, index > features {
      throw fail("the index \(index) exceeds 'features=\(features)'; raise 'features' or leave it out to use the largest index.")
    }
    guard index <= Int(Int32.max) else {
      throw fail("the index \(index) is too large for a dense feature matrix.")
    }
    guard let value = Float(valueText), value.isFinite else {
      throw fail("the value in '\(clipped(text, limit: fileTextLimit))' is not a finite number.")
    }
    return (index, value)
  }

  /// The blank-separated tokens of a line before any `#` comment, with their 1-based columns.
  private static func tokens(_ text: ArraySlice<UInt8>, lineStart: Int) -> [(text: String, column: Int)] {
    var tokens: [(text: String, column: Int)] = []
    var i = text.startIndex
    func isBlank(_ c: UInt8) -> Bool { c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") }
    while i < text.endIndex, text[i] != UInt8(ascii: "#") {
      if isBlank(text[i]) { i += 1; continue }
      let from = i
      while i < text.endIndex, !isBlank(text[i]), text[i] != UInt8(ascii: "#") { i += 1 }
      tokens.append((String(decoding: text[from..<i], as: UTF8.self), from - lineStart + 1))
    }
    return tokens
  }

  /// Sorts the entries of the row that starts at `rowStart` by index; returns an index given twice
  /// (0-based, the row left as it was) instead.
  private mutating func sortRow(from rowStart: Int) -> Int32? {
    let entries = (rowStart..<indices.count).map { (indices[$0], values[$0]) }.sorted { $0.0 < $1.0 }
    for k in 1..<entries.count where entries[k].0 == entries[k - 1].0 { return entries[k].0 }
    for (k, entry) in entries.enumerated() {
      indices[rowStart + k] = entry.0
      values[rowStart + k] = entry.1
    }
    return nil
  }

  /// The rows as a dense `count × featureCount` matrix.
  func rows(featureCount: Int) throws -> LabeledRows {
    let (total, overflow) = count.multipliedReportingOverflow(by: featureCount)
    guard !overflow, total <= Datasets.maximumValues else {
      throw HSQError.fileFormat(
        path: path, position: nil,
        problem: "\(count) rows × \(featureCount) features is too large to hold densely (more than 2^30 values); use a subset of the file or fewer features.")
    }
    try Datasets.checkMemory(rows: count, features: featureCount, of: "'\(path)'", fix: "Use a subset of the file or fewer features")
    var dense = [Float](repeating: 0, count: total)
    for r in 0..<count {
      for e in rowStarts[r]..<rowStarts[r + 1] { dense[r * featureCount + Int(indices[e])] = values[e] }
    }
    return LabeledRows(path: path, count: count, featureCount: featureCount, features: dense, labels: .numbers(labels))
  }
}
