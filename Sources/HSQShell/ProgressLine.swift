/// The REPL's progress display: one terminal line rewritten in place, cleared before the command's output.
///
/// A long `run` or `sweep` reports about twice a second; printed as lines that would scroll the screen
/// (a ten-minute sweep, 1 200 lines). Each report returns the cursor to the line's start and erases it
/// (`\r`, `ESC [K`) before writing, so the reports share one line; a report wider than the terminal is cut
/// to fit, since a wrapped line could not be rewritten by `\r`.
///
/// ```
/// let line = ProgressLine(width: { 80 }) { print($0, terminator: "") }
/// line.show("sweep s: 1/4 runs done, 1 running, 40% — about 12s left")
/// line.clear()   // before the command's output
/// ```
final class ProgressLine {
  /// Carriage return and erase to the end of the line.
  static let rewind = "\r\u{1B}[K"
  private let width: () -> Int?
  private let write: (String) -> Void
  private var shown = false

  /// - Parameters:
  ///   - width: the terminal's columns now, if known (asked at every report, so a resized window is followed);
  ///     reports are cut to `width − 1` characters.
  ///   - write: writes text to the terminal as it is (no newline added) and flushes.
  init(width: @escaping () -> Int?, write: @escaping (String) -> Void) {
    self.width = width
    self.write = write
  }

  /// Replaces the line shown, if any, by `text`.
  func show(_ text: String) {
    var text = text.split(separator: "\n", omittingEmptySubsequences: false).last.map(String.init) ?? ""
    if let width = width(), width > 2, text.count > width - 1 { text = String(text.prefix(width - 2)) + "…" }
    write(Self.rewind + text)
    shown = true
  }

  /// Erases the line shown, if any, leaving the cursor at its start.
  func clear() {
    guard shown else { return }
    write(Self.rewind)
    shown = false
  }
}
