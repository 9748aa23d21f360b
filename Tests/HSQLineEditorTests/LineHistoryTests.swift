import Foundation
import HSQLineEditor
import Testing

@Suite("Line history")
struct LineHistoryTests {
  @Test func keepsEntriesOldestFirstWithoutBlanksOrConsecutiveRepeats() {
    let history = LineHistory()
    for line in ["step", "step", "  ", "", "stats\n", "step", "step"] { history.add(line) }
    #expect(history.entries == ["step", "stats", "step"])
    #expect(history.newest == "step")
  }

  @Test func reportsWhetherALineWasEntered() {
    let history = LineHistory()
    #expect(history.add("a"))
    #expect(!history.add("a"))
    #expect(!history.add(" \t"))
    #expect(history.add("b"))
  }

  @Test func dropsTheOldestBeyondCapacity() {
    let history = LineHistory(capacity: 1000)
    for i in 0..<1005 { history.add("line \(i)") }
    #expect(history.entries.count == 1000)
    #expect(history.entries.first == "line 5")
    #expect(history.entries.last == "line 1004")
  }

  @Test func roundTripsThroughAFileWithMode0600() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.file(".hsq_history")
    let lines = ["step 10", "set lr=0.1 # comment", "tab\there", #"back\slash"#, "héllo 世界 🎉", "  spaced  "]
    let history = LineHistory()
    for line in lines { history.add(line) }
    try history.save(to: path)
    #expect(permissions(of: path) == 0o600)
    #expect(try directory.names() == [".hsq_history"])  // no temporary file left behind
    let reloaded = LineHistory()
    try reloaded.load(from: path)
    #expect(reloaded.entries == lines)
  }

  @Test func loadingAppliesCapacityAndDedupe() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.file("history")
    let history = LineHistory()
    for i in 0..<10 { history.add("line \(i)") }
    try history.save(to: path)
    let small = LineHistory(capacity: 4)
    small.add("line 5")
    try small.load(from: path)
    #expect(small.entries == ["line 6", "line 7", "line 8", "line 9"])
  }

  @Test func aMissingOrEmptyFileIsAnEmptyHistory() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let history = LineHistory()
    try history.load(from: directory.file("missing"))
    _ = FileManager.default.createFile(atPath: directory.file("empty"), contents: Data())
    try history.load(from: directory.file("empty"))
    #expect(history.entries.isEmpty)
  }

  @Test func aForeignFileIsAnErrorNamingIt() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.file("notes.txt")
    try "just some notes\n".write(toFile: path, atomically: true, encoding: .utf8)
    #expect {
      try LineHistory().load(from: path)
    } throws: { error in
      (error as? LineHistoryError)?.message.contains("'\(path)'") == true
    }
  }

  @Test func savingIntoAMissingDirectoryIsAnErrorNamingTheFile() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.file("no/such/dir/history")
    let history = LineHistory()
    history.add("x")
    #expect {
      try history.save(to: path)
    } throws: { error in
      (error as? LineHistoryError)?.message == "Cannot write the history file '\(path)': No such file or directory."
    }
  }

  @Test func savingTightensPermissionsAndKeepsASymbolicLink() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let target = directory.file("real-history")
    let link = directory.file(".hsq_history")
    _ = FileManager.default.createFile(atPath: target, contents: Data(), attributes: [.posixPermissions: 0o644])
    try #require(symlink(target, link) == 0)
    let history = LineHistory()
    history.add("kept")
    try history.save(to: link)
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
    #expect(permissions(of: target) == 0o600)
    let reloaded = LineHistory()
    try reloaded.load(from: target)
    #expect(reloaded.entries == ["kept"])
  }
}
