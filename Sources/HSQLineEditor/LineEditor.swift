/// Reads the lines a user types, one at a time.
///
/// The REPL talks to this protocol only, so its command engine runs the same
/// behind libedit on a terminal (``LibEditLineEditor``), behind a plain reader
/// for pipes and scripts (``PlainLineReader``), and in tests. Use
/// ``makeLineEditor(historyPath:)`` to get the right one for standard input.
public protocol LineEditor: AnyObject {
  /// Shows `prompt` (when interactive) and reads one line.
  ///
  /// - Parameter prompt: The text shown before the cursor; plain readers ignore it.
  /// - Returns: The line without its line terminator, ``LineInput/interrupted``
  ///   when Ctrl-C arrived while waiting, or ``LineInput/endOfInput``.
  func readLine(prompt: String) -> LineInput

  /// Records a line the user entered so Up, Down and Ctrl-R can recall it.
  ///
  /// Editors with a history file persist it; plain readers ignore the call.
  func addHistory(_ line: String)

  /// Computes Tab completions for the line being edited.
  ///
  /// Called with the whole line and the cursor position as a character offset.
  /// `nil` turns completion off (Tab beeps).
  var completer: (@Sendable (_ line: String, _ cursor: Int) -> Completion)? { get set }
}

/// What one ``LineEditor/readLine(prompt:)`` call produced.
///
/// The REPL loop switches over it: run a line, print a fresh prompt after an
/// interrupt, leave at the end of input.
public enum LineInput: Equatable, Sendable {
  /// A complete line, without the trailing newline (or CR LF).
  case line(String)
  /// Ctrl-C while waiting for input: the partial line was dropped.
  case interrupted
  /// Ctrl-D on an empty line, or the end of a piped input.
  case endOfInput
}

/// The answer of a ``LineEditor/completer``: a word to replace and what may replace it.
///
/// The word runs from ``start`` to the cursor. The editor inserts the longest
/// common prefix of the candidates, a single candidate followed by a space, or
/// lists the candidates when there is nothing more to insert
/// (see ``Completion/edit(replacing:)``).
public struct Completion: Equatable, Sendable {
  /// Character offset in the line where the replaced word begins.
  public var start: Int
  /// The texts that may replace the word, in any order.
  public var candidates: [String]

  /// Creates a completion.
  ///
  /// - Parameters:
  ///   - start: Character offset where the word being completed begins (0...cursor).
  ///   - candidates: Replacements for that word; empty when nothing matches.
  public init(start: Int, candidates: [String]) {
    self.start = start
    self.candidates = candidates
  }

  /// No candidates (Tab beeps).
  public static let empty = Completion(start: 0, candidates: [])
}
