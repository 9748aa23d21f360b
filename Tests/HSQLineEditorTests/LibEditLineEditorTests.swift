import Foundation
import HSQLineEditor
import Testing

/// A libedit editor reading `text` from a pipe (no terminal: no prompt, no editing).
func pipedEditor(_ text: String, historyPath: String?, capacity: Int = 1000) throws -> LibEditLineEditor {
  let input = try pipeHolding(Array(text.utf8))
  defer { close(input) }
  let output = open("/dev/null", O_WRONLY)
  defer { close(output) }
  return try LibEditLineEditor(historyPath: historyPath, historyCapacity: capacity, input: input, output: output)
}

@Suite("libedit line editor without a terminal")
struct LibEditLineEditorTests {
  @Test func readsPipedLinesIncludingUTF8() throws {
    let editor = try pipedEditor("first\nhéllo 世界\nlast", historyPath: nil)
    #expect(drain(editor) == [.line("first"), .line("héllo 世界"), .line("last"), .endOfInput])
  }

  /// Bytes that are not UTF-8 are dropped, never turned into characters: a stray continuation
  /// byte, 0xFF, a lead byte cut short by '(', an overlong 'NUL' (C0 80), a surrogate (ED A0 80).
  @Test func invalidUTF8IsDroppedAndTheRestOfTheLineKept() throws {
    let bytes: [UInt8] = [0x61, 0x80, 0xFF, 0x62, 0xC3, 0x28, 0xC0, 0x80, 0xED, 0xA0, 0x80, 0x63]
      + Array("é😀\nnext".utf8)
    let input = try pipeHolding(bytes)
    defer { close(input) }
    let output = open("/dev/null", O_WRONLY)
    defer { close(output) }
    let editor = try LibEditLineEditor(historyPath: nil, input: input, output: output)
    #expect(drain(editor) == [.line("ab(cé😀"), .line("next"), .endOfInput])
  }

  @Test func historyPersistsAcrossTwoEditors() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.file(".hsq_history")
    let first = try pipedEditor("step\nstep\nstats\n", historyPath: path)
    for case .line(let line) in drain(first) { first.addHistory(line) }
    #expect(permissions(of: path) == 0o600)  // saved after each line, before close
    first.close()
    #expect(first.readLine(prompt: "> ") == .endOfInput)

    let second = try pipedEditor("help\n", historyPath: path)
    #expect(second.historyEntries == ["step", "stats"])
    #expect(second.historyWarning == nil)
    for case .line(let line) in drain(second) { second.addHistory(line) }
    second.close()
    let reloaded = LineHistory()
    try reloaded.load(from: path)
    #expect(reloaded.entries == ["step", "stats", "help"])
  }

  @Test func historyIsCappedAtTheGivenCapacity() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.file("history")
    let editor = try pipedEditor("", historyPath: path, capacity: 3)
    for line in ["a", "b", "c", "d"] { editor.addHistory(line) }
    editor.close()
    let reloaded = LineHistory()
    try reloaded.load(from: path)
    #expect(reloaded.entries == ["b", "c", "d"])
  }

  @Test func aForeignHistoryFileIsReportedAndLeftAlone() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.file("notes.txt")
    try "my notes\n".write(toFile: path, atomically: true, encoding: .utf8)
    let editor = try pipedEditor("x\n", historyPath: path)
    #expect(editor.historyWarning?.contains("'\(path)'") == true)
    editor.addHistory("x")
    editor.close()
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "my notes\n")
  }
}
