import HSQLineEditor
import Testing

@Suite("Completion rules")
struct CompletionTests {
  @Test(arguments: [
    (["hello", "help"], "hel"),
    (["abc", "abd", "ab"], "ab"),
    (["x", "y"], ""),
    (["same", "same"], "same"),
    (["only"], "only"),
    ([], ""),
    (["café", "cafe"], "caf"),
    (["e\u{301}t", "e\u{301}x"], "e\u{301}"),
  ] as [([String], String)])
  func commonPrefix(strings: [String], expected: String) {
    #expect(Completion.commonPrefix(of: strings) == expected)
  }

  @Test func noCandidateBeeps() {
    #expect(Completion(start: 0, candidates: []).edit(replacing: "zz") == .beep)
  }

  @Test func aUniqueCandidateIsFinishedWithASpace() {
    #expect(Completion(start: 0, candidates: ["history"]).edit(replacing: "hi") == .replace(with: "history "))
    #expect(Completion(start: 0, candidates: ["help", "help"]).edit(replacing: "he") == .replace(with: "help "))
  }

  @Test func aDirectoryIsNotFinishedWithASpace() {
    #expect(Completion(start: 5, candidates: ["data/"]).edit(replacing: "da") == .replace(with: "data/"))
  }

  @Test func theCommonPrefixIsInsertedFirst() {
    #expect(Completion(start: 0, candidates: ["help", "hello"]).edit(replacing: "he") == .replace(with: "hel"))
  }

  @Test func candidatesAreListedSortedWhenNothingMoreFits() {
    let completion = Completion(start: 0, candidates: ["help", "hello", "help"])
    #expect(completion.edit(replacing: "hel") == .list(["hello", "help"]))
    #expect(Completion(start: 0, candidates: ["step", "stats"]).edit(replacing: "") == .replace(with: "st"))
    #expect(Completion(start: 0, candidates: ["b", "a"]).edit(replacing: "") == .list(["a", "b"]))
  }

  @Test func columnsGoDownThenAcross() {
    let items = ["alpha", "beta", "gamma", "delta", "epsilon"]
    // cell = 7 + 2 = 9 → 2 columns in 20, 3 rows.
    #expect(Completion.columns(items, width: 20) == ["alpha    delta", "beta     epsilon", "gamma"])
    #expect(Completion.columns(["hello", "help"], width: 80) == ["hello  help"])
  }

  @Test func columnsFallBackToOnePerLine() {
    #expect(Completion.columns(["hello", "help"], width: 5) == ["hello", "help"])
    #expect(Completion.columns([], width: 80) == [])
  }
}
