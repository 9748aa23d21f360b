import HSQCore

/// The header dictionary of a `.npy` file: `{'descr': '<f4', 'fortran_order': False, 'shape': (K, D), }`.
///
/// A small recursive-descent parser for the Python literal NumPy writes
/// (`numpy.lib.format`): a dict of exactly the keys `descr` (a string),
/// `fortran_order` (`True`/`False`) and `shape` (a tuple of integers).
/// Errors give the byte offset in the file.
struct NPYHeader: Equatable {
  var descr: String
  var fortranOrder: Bool
  var shape: [Int]

  private enum Value { case string(String), bool(Bool), tuple([Int]) }

  /// Parses `text`, which starts at byte `offset` of the file at `path`.
  static func parse(_ text: [UInt8], path: String, offset: Int) throws -> NPYHeader {
    var parser = Parser(text: text, path: path, offset: offset)
    var entries: [String: Value] = [:]
    parser.skipSpace()
    try parser.expect(UInt8(ascii: "{"))
    parser.skipSpace()
    while !parser.peek(UInt8(ascii: "}")) {
      let keyPlace = parser.place
      let key = try parser.string()
      guard ["descr", "fortran_order", "shape"].contains(key) else {
        throw parser.error("unexpected key '\(key)'; a .npy header has only 'descr', 'fortran_order' and 'shape'.", at: keyPlace)
      }
      guard entries[key] == nil else { throw parser.error("the key '\(key)' appears twice.", at: keyPlace) }
      parser.skipSpace()
      try parser.expect(UInt8(ascii: ":"))
      parser.skipSpace()
      entries[key] = try parser.value()
      parser.skipSpace()
      if parser.peek(UInt8(ascii: ",")) { parser.index += 1; parser.skipSpace() } else { break }
    }
    try parser.expect(UInt8(ascii: "}"))
    parser.skipSpace()
    guard parser.index == text.count else { throw parser.error("unexpected text after the header dictionary.") }
    guard case let .string(descr)? = entries["descr"] else { throw parser.error("the header has no 'descr' string (the dtype).") }
    guard case let .bool(fortran)? = entries["fortran_order"] else { throw parser.error("the header has no 'fortran_order' True/False.") }
    guard case let .tuple(shape)? = entries["shape"] else { throw parser.error("the header has no 'shape' tuple.") }
    return NPYHeader(descr: descr, fortranOrder: fortran, shape: shape)
  }

  /// The header text NumPy would write for a C-order float32 array of `shape`.
  static func text(shape: [Int]) -> String {
    let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    return "{'descr': '<f4', 'fortran_order': False, 'shape': \(dims), }"
  }

  private struct Parser {
    let text: [UInt8]
    let path: String
    let offset: Int
    var index = 0

    var place: Int { index }

    func error(_ problem: String, at position: Int? = nil) -> HSQError {
      .fileFormat(path: path, position: "header byte \(offset + (position ?? index))", problem: problem + " Expected a header like {'descr': '<f4', 'fortran_order': False, 'shape': (K, D), }.")
    }

    func peek(_ byte: UInt8) -> Bool { index < text.count && text[index] == byte }

    mutating func skipSpace() {
      while index < text.count, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(text[index]) {
        index += 1
      }
    }

    mutating func expect(_ byte: UInt8) throws {
      guard peek(byte) else {
        let found = index < text.count ? "'\(Character(Unicode.Scalar(text[index])))'" : "the end of the header"
        throw error("found \(found) where '\(Character(Unicode.Scalar(byte)))' belongs.")
      }
      index += 1
    }

    mutating func string() throws -> String {
      guard index < text.count, text[index] == UInt8(ascii: "'") || text[index] == UInt8(ascii: "\"") else {
        throw error("expected a quoted string.")
      }
      let quote = text[index]
      let start = index + 1
      index = start
      while index < text.count, text[index] != quote {
        guard text[index] != UInt8(ascii: "\\") else { throw error("escapes in header strings are not supported.") }
        index += 1
      }
      guard index < text.count else { throw error("a string is not closed.", at: start - 1) }
      defer { index += 1 }
      return String(decoding: text[start..<index], as: UTF8.self)
    }

    private mutating func word(_ w: String) -> Bool {
      let bytes = Array(w.utf8)
      guard index + bytes.count <= text.count, Array(text[index..<(index + bytes.count)]) == bytes else { return false }
      index += bytes.count
      return true
    }

    mutating func value() throws -> Value {
      if word("True") { return .bool(true) }
      if word("False") { return .bool(false) }
      if peek(UInt8(ascii: "(")) { return .tuple(try tuple()) }
      return .string(try string())
    }

    mutating func tuple() throws -> [Int] {
      try expect(UInt8(ascii: "("))
      var items: [Int] = []
      skipSpace()
      while !peek(UInt8(ascii: ")")) {
        let start = index
        while index < text.count, text[index] >= UInt8(ascii: "0"), text[index] <= UInt8(ascii: "9") { index += 1 }
        guard index > start, let n = Int(String(decoding: text[start..<index], as: UTF8.self)) else {
          throw error("expected a non-negative integer in the shape.")
        }
        if peek(UInt8(ascii: "L")) { index += 1 }  // Python 2 long literals
        items.append(n)
        skipSpace()
        if peek(UInt8(ascii: ",")) { index += 1; skipSpace() } else { break }
      }
      try expect(UInt8(ascii: ")"))
      return items
    }
  }
}
