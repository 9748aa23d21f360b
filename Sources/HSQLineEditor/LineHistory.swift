import CEditLine

/// The lines a user entered, oldest first, held in a libedit `History`.
///
/// The same object backs Up/Down and Ctrl-R in ``LibEditLineEditor`` and is
/// usable on its own (no terminal needed), which is how its rules are
/// tested: at most ``capacity`` entries (the oldest go first), and a line
/// equal to the newest entry is not entered again. Files are read and
/// written in libedit's own format (see `LineHistory+File.swift`).
public final class LineHistory {
  /// The libedit `History *`, for `el_set(EL_HIST)`.
  let handle: OpaquePointer
  /// The largest number of entries kept.
  public let capacity: Int

  /// Creates an empty history.
  ///
  /// - Parameter capacity: Entries kept, at least 1; 1000 by default.
  public init(capacity: Int = 1000) {
    precondition(capacity >= 1, "a history keeps at least one entry")
    guard let handle = history_init() else { fatalError("libedit history_init failed: out of memory") }
    self.handle = handle
    self.capacity = capacity
    var event = HistEvent()
    _ = hsq_history_set_size(handle, &event, Int32(clamping: capacity))
    _ = hsq_history_set_unique(handle, &event, 1)
  }

  deinit { history_end(handle) }

  /// Enters `line` as the newest entry.
  ///
  /// A trailing newline is dropped. Lines made only of white space are
  /// ignored, and so is a line equal to the newest entry.
  ///
  /// - Parameter line: The line as the user typed it.
  /// - Returns: Whether the line was entered.
  @discardableResult
  public func add(_ line: String) -> Bool {
    var text = Substring(line)
    while let last = text.last, last == "\n" || last == "\r\n" || last == "\r" { text.removeLast() }
    guard text.contains(where: { !$0.isWhitespace }), String(text) != newest else { return false }
    var event = HistEvent()
    return hsq_history_enter(handle, &event, String(text)) >= 0
  }

  /// The newest entry, or `nil` when the history is empty.
  public var newest: String? {
    var event = HistEvent()
    guard hsq_history_newest(handle, &event) == 0, let text = event.str else { return nil }
    return String(cString: text)
  }

  /// Every entry, oldest first.
  public var entries: [String] {
    var result: [String] = []
    var event = HistEvent()
    var status = hsq_history_oldest(handle, &event)
    while status == 0, let text = event.str {
      result.append(String(cString: text))
      status = hsq_history_newer(handle, &event)
    }
    return result
  }

  /// Removes every entry.
  public func removeAll() {
    var event = HistEvent()
    _ = hsq_history_clear(handle, &event)
  }
}
