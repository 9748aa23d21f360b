import Testing

@testable import HSQShell

/// The REPL's progress display: reports rewrite one line, a clear erases it once, wide reports are cut to fit.
@Suite struct ProgressLineTests {
  final class Terminal {
    var written: [String] = []
  }

  @Test func reportsShareOneLineAndAreClearedOnce() {
    let terminal = Terminal()
    let line = ProgressLine(width: { 80 }) { terminal.written.append($0) }
    line.clear()
    #expect(terminal.written.isEmpty, "nothing shown, nothing to clear")
    line.show("sweep s: 0/4 runs done, 1 running, 10% — about 9s left")
    line.show("sweep s: 1/4 runs done, 1 running, 30% — about 7s left")
    line.clear()
    line.clear()
    #expect(terminal.written == ["\r\u{1B}[Ksweep s: 0/4 runs done, 1 running, 10% — about 9s left",
                                 "\r\u{1B}[Ksweep s: 1/4 runs done, 1 running, 30% — about 7s left", "\r\u{1B}[K"])
    #expect(!terminal.written.joined().contains("\n"), "no report moves to a new line")
  }

  /// A report wider than the terminal would wrap and `\r` would rewrite only its last row: it is cut to width − 1.
  @Test func wideReportsAreCutToTheTerminal() {
    let terminal = Terminal()
    var columns: Int? = 12
    let line = ProgressLine(width: { columns }) { terminal.written.append($0) }
    line.show("step 100  loss 0.5")
    columns = nil
    line.show("step 100  loss 0.5")
    line.show("first\nsecond")
    #expect(terminal.written == ["\r\u{1B}[Kstep 100  …", "\r\u{1B}[Kstep 100  loss 0.5", "\r\u{1B}[Ksecond"])
  }
}
