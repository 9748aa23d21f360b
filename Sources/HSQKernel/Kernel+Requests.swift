import Foundation
import HSQCommands

extension Kernel {
  /// `complete_reply`: the REPL's own completion for the word at the cursor (positions in Unicode code points).
  func complete(_ fields: [String: Any]) -> JSONValue {
    let code = fields["code"] as? String ?? ""
    let cursor = CodeCursor(code, codePoint: fields["cursor_pos"] as? Int ?? code.unicodeScalars.count)
    let result = session.complete(cursor.line, cursor: cursor.character)
    return .object([
      ("status", .string("ok")), ("matches", .array(result.candidates.map(JSONValue.string))),
      ("cursor_start", .int(cursor.codePoint(ofCharacter: result.start))), ("cursor_end", .int(cursor.codePoint)),
      ("metadata", .object([])),
    ])
  }

  /// `inspect_reply`: what `?` (detail level 0) or `??` (1) prints for the word at the cursor —
  /// a component (`compressor=hsq:dim=16` → `hsq`), a setting, or else the line's command.
  func inspect(_ fields: [String: Any]) -> JSONValue {
    let code = fields["code"] as? String ?? ""
    let cursor = CodeCursor(code, codePoint: fields["cursor_pos"] as? Int ?? code.unicodeScalars.count)
    let topic = cursor.topic
    guard !topic.isEmpty else { return .object([("status", .string("ok")), ("found", .bool(false)), ("data", .object([])), ("metadata", .object([]))]) }
    let output = session.execute(((fields["detail_level"] as? Int ?? 0) > 0 ? "??" : "?") + Tokenizer.quoted(topic))
    let found = !output.isError && !output.text.isEmpty
    return .object([
      ("status", .string("ok")), ("found", .bool(found)),
      ("data", found ? .object([("text/plain", .string(output.text))]) : .object([])), ("metadata", .object([])),
    ])
  }

  /// `is_complete_reply`: a cell is incomplete while a quote is open, else complete (every line is one command).
  func isComplete(_ fields: [String: Any]) -> JSONValue {
    let code = fields["code"] as? String ?? ""
    let open = code.split(separator: "\n").contains { (try? Tokenizer.spans(String($0))) == nil }
    return .object(open ? [("status", .string("incomplete")), ("indent", .string(""))] : [("status", .string("complete"))])
  }

  /// `history_reply`: the cells of this session — the last `n` (`tail`), a range of cell numbers (`range`),
  /// or those matching a glob `pattern` (`search`) — as `[session, line, input]` (session 0 is this one).
  func historyReply(_ fields: [String: Any]) -> JSONValue {
    var entries = history.enumerated().map { (number: $0.offset + 1, input: $0.element) }
    switch fields["hist_access_type"] as? String ?? "tail" {
    case "range":
      let start = fields["start"] as? Int ?? 1, stop = fields["stop"] as? Int ?? Int.max
      entries = entries.filter { $0.number >= start && $0.number < stop }
    case "search":
      let pattern = fields["pattern"] as? String ?? "*"
      entries = entries.filter { fnmatch(pattern, $0.input, 0) == 0 }
      if let n = fields["n"] as? Int { entries = Array(entries.suffix(max(0, n))) }
    default:
      if let n = fields["n"] as? Int { entries = Array(entries.suffix(max(0, n))) }
    }
    return .object([
      ("status", .string("ok")),
      ("history", .array(entries.map { .array([.int(0), .int($0.number), .string($0.input)]) })),
    ])
  }
}

/// A cursor in a cell, given in Unicode code points (Jupyter's unit), and the line it is on.
struct CodeCursor {
  /// The line holding the cursor.
  let line: String
  /// The cursor's offset in ``line`` in characters (the command engine's unit).
  let character: Int
  /// The cursor's offset in the cell in code points.
  let codePoint: Int
  /// The code-point offset of ``line``'s start in the cell.
  let lineStart: Int

  init(_ code: String, codePoint: Int) {
    let scalars = Array(code.unicodeScalars)
    let cursor = max(0, min(codePoint, scalars.count))
    let start = scalars[..<cursor].lastIndex(of: "\n").map { $0 + 1 } ?? 0
    let end = scalars[cursor...].firstIndex(of: "\n") ?? scalars.count
    var line = String.UnicodeScalarView(), before = String.UnicodeScalarView()
    line.append(contentsOf: scalars[start..<end])
    before.append(contentsOf: scalars[start..<cursor])
    self.line = String(line)
    self.character = String(before).count
    self.codePoint = cursor
    self.lineStart = start
  }

  /// The cell's code-point offset of the character offset `offset` in ``line``.
  func codePoint(ofCharacter offset: Int) -> Int {
    lineStart + String(line.prefix(offset)).unicodeScalars.count
  }

  /// What to look up: the word at the cursor without `key=` and `:parameters`; an option or a blank
  /// gives the line's command.
  var topic: String {
    let characters = Array(line)
    var from = min(character, characters.count), to = from
    while from > 0, !characters[from - 1].isWhitespace { from -= 1 }
    while to < characters.count, !characters[to].isWhitespace { to += 1 }
    var word = String(characters[from..<to])
    if let colon = word.firstIndex(of: ":") { word = String(word[..<colon]) }
    if let eq = word.lastIndex(of: "=") { word = String(word[word.index(after: eq)...]) }
    if word.isEmpty || word.hasPrefix("-") || word.hasPrefix("#") {
      return line.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
    }
    return word
  }
}
