import Foundation
import HSQLineEditor
import Testing

/// Every result of `reader` until the first end of input (at most `limit`).
func drain(_ reader: any LineEditor, limit: Int = 100_000) -> [LineInput] {
  var results: [LineInput] = []
  while results.count < limit {
    let input = reader.readLine(prompt: "> ")
    results.append(input)
    if input == .endOfInput { break }
  }
  return results
}

/// A pipe already holding `bytes`, its writing end closed; returns the reading end.
func pipeHolding(_ bytes: [UInt8]) throws -> Int32 {
  var ends: [Int32] = [0, 0]
  try #require(pipe(&ends) == 0)
  let written = bytes.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
  try #require(written == bytes.count)
  close(ends[1])
  return ends[0]
}

@Suite("Plain line reader")
struct PlainLineReaderTests {
  @Test func splitsLinesAndEndsOnce() {
    let reader = PlainLineReader(text: "step\nstats\n")
    #expect(drain(reader) == [.line("step"), .line("stats"), .endOfInput])
    #expect(reader.readLine(prompt: "> ") == .endOfInput)
  }

  @Test func keepsEmptyLines() {
    #expect(drain(PlainLineReader(text: "\n\nx\n")) == [.line(""), .line(""), .line("x"), .endOfInput])
  }

  @Test func emptyInputIsEndOfInput() {
    #expect(drain(PlainLineReader(text: "")) == [.endOfInput])
  }

  @Test func dropsCarriageReturnsOfCRLF() {
    #expect(drain(PlainLineReader(text: "a b\r\nc\r\n")) == [.line("a b"), .line("c"), .endOfInput])
  }

  @Test func returnsALastLineWithoutNewline() {
    #expect(drain(PlainLineReader(text: "a\nlast")) == [.line("a"), .line("last"), .endOfInput])
    #expect(drain(PlainLineReader(text: "last\r")) == [.line("last"), .endOfInput])
  }

  @Test func decodesUTF8AndRepairsInvalidBytes() {
    #expect(drain(PlainLineReader(text: "héllo 世界 🎉\n")) == [.line("héllo 世界 🎉"), .endOfInput])
    let invalid: [UInt8] = [0x61, 0xFF, 0x62, 0x0A]
    #expect(drain(PlainLineReader(bytes: invalid)) == [.line("a\u{FFFD}b"), .endOfInput])
  }

  @Test func skipsAByteOrderMarkOnlyAtTheStart() {
    let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    let bytes = bom + Array("one\n".utf8) + bom + Array("two\n".utf8)
    #expect(drain(PlainLineReader(bytes: bytes)) == [.line("one"), .line("\u{FEFF}two"), .endOfInput])
  }

  @Test func readsAPipe() throws {
    let descriptor = try pipeHolding(Array("first\r\nsecond\nthird".utf8))
    defer { close(descriptor) }
    let reader = PlainLineReader(fileDescriptor: descriptor)
    #expect(drain(reader) == [.line("first"), .line("second"), .line("third"), .endOfInput])
  }

  @Test func readsAFileLargerThanItsBuffer() throws {
    let lines = (0..<30_000).map { "line \($0) ünïcødé" }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("plain-\(UUID()).txt").path
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    defer { unlink(path) }
    let descriptor = open(path, O_RDONLY)
    try #require(descriptor >= 0)
    defer { close(descriptor) }
    #expect(drain(PlainLineReader(fileDescriptor: descriptor)) == lines.map(LineInput.line) + [.endOfInput])
  }

  @Test func ignoresHistoryAndCompletion() {
    let reader = PlainLineReader(text: "x\n")
    reader.addHistory("ignored")
    reader.completer = { _, _ in .empty }
    #expect(drain(reader) == [.line("x"), .endOfInput])
  }
}
