import HSQCore

/// Splits a command line into words: whitespace separates, quotes group, `#` starts a comment.
public enum Tokenizer {
  /// The words of `line`.
  ///
  /// - Throws: ``HSQError/invalidArgument(_:)`` for an unclosed quote.
  public static func split(_ line: String) throws -> [String] {
    try spans(line).map(\.text)
  }

  /// `word` as one word of a command line: quoted when it holds whitespace, a quote or `#`.
  public static func quoted(_ word: String) -> String {
    guard word.isEmpty || word.contains(where: { $0.isWhitespace || $0 == "#" || $0 == "\"" || $0 == "'" }) else { return word }
    return word.contains("\"") ? "'\(word)'" : "\"\(word)\""
  }

  /// Words with the character offset where each starts (for completion).
  public static func spans(_ line: String, allowUnclosed: Bool = false) throws -> [(text: String, start: Int)] {
    var words: [(String, Int)] = []
    var current = ""
    var start = 0
    var inWord = false
    var quote: Character?
    for (offset, c) in line.enumerated() {
      if let q = quote {
        if c == q { quote = nil } else { current.append(c) }
        continue
      }
      if c == "#", !inWord { break }
      if c == "\"" || c == "'" {
        if !inWord { inWord = true; start = offset }
        quote = c
      } else if c.isWhitespace {
        if inWord { words.append((current, start)); current = ""; inWord = false }
      } else {
        if !inWord { inWord = true; start = offset }
        current.append(c)
      }
    }
    if quote != nil, !allowUnclosed {
      throw HSQError.invalidArgument("The line has an unclosed quote; close it with \(quote!).")
    }
    if inWord { words.append((current, start)) }
    return words
  }
}
