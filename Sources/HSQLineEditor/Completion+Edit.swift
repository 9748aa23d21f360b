/// What Tab does to the line, decided from a ``Completion`` alone.
///
/// Kept apart from libedit so the bash-like rules are testable as a pure
/// function: insert what all candidates share, finish a unique word with a
/// space, and list the candidates only when Tab has nothing more to insert.
public enum CompletionEdit: Equatable, Sendable {
  /// No candidate: ring the bell, leave the line alone.
  case beep
  /// Replace the word being completed (start to cursor) with this text.
  case replace(with: String)
  /// Nothing more to insert: show these candidates (sorted, no duplicates).
  case list([String])
}

extension Completion {
  /// Decides what Tab does when `word` is the text from ``start`` to the cursor.
  ///
  /// A single candidate replaces the word and is followed by a space (not
  /// after a trailing `/`, so a directory can be continued). Several
  /// candidates replace the word by their longest common prefix when it is
  /// longer than the word; otherwise they are listed.
  ///
  /// - Parameter word: The characters from ``start`` to the cursor.
  /// - Returns: The edit to apply.
  public func edit(replacing word: String) -> CompletionEdit {
    let unique = Array(Set(candidates)).sorted()
    guard let first = unique.first else { return .beep }
    if unique.count == 1 {
      return .replace(with: first.hasSuffix("/") ? first : first + " ")
    }
    let prefix = Completion.commonPrefix(of: unique)
    if prefix.count > word.count { return .replace(with: prefix) }
    return .list(unique)
  }

  /// The longest string every element starts with, compared by `Character`.
  ///
  /// - Parameter strings: Any strings; empty gives "".
  /// - Returns: Their longest common prefix.
  public static func commonPrefix(of strings: [String]) -> String {
    guard let first = strings.first else { return "" }
    var prefix = Array(first)
    for string in strings.dropFirst() {
      var shared = 0
      for (a, b) in zip(prefix, string) {
        guard a == b else { break }
        shared += 1
      }
      prefix.removeLast(prefix.count - shared)
    }
    return String(prefix)
  }
}
