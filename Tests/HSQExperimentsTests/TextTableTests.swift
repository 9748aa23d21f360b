import HSQExperiments
import Testing

/// Text tables: numeric detection and alignment, truncation to a width, combining marks, Markdown.
@Suite struct TextTableTests {
  static var sample: TextTable {
    var table = TextTable(columns: ["compressor", "bits/step", "rho"])
    table.append(["hsq", "896", "0.41"])
    table.append(["qsgd:levels=4", "2304", "1.2e-2"])
    return table
  }

  @Test func numericColumnsAreRightAligned() {
    #expect(Self.sample.alignments == [.left, .right, .right])
    #expect(
      Self.sample.render() == """
        compressor     bits/step     rho
        ─────────────  ─────────  ──────
        hsq                  896    0.41
        qsgd:levels=4       2304  1.2e-2
        """)
  }

  @Test func explicitAlignmentsWin() {
    var table = TextTable(columns: ["a", "b"], alignments: [.right, .center])
    table.append(["x", "yes"])
    table.append(["long", "1"])
    #expect(table.render() == "   a   b \n────  ───\n   x  yes\nlong   1 ")
  }

  @Test func maxWidthTruncatesWithEllipsis() {
    for maxWidth in [10, 16, 20, 24, 33, 80] {
      let lines = Self.sample.render(maxWidth: maxWidth).split(separator: "\n")
      let widths = Set(lines.map { TextTable.displayWidth(String($0)) })
      #expect(widths.count == 1, "ragged lines at \(maxWidth)")
      #expect(widths.first! <= max(maxWidth, 5), "too wide at \(maxWidth)")
    }
    #expect(
      Self.sample.render(maxWidth: 24) == """
        compre…  bits/s…     rho
        ───────  ───────  ──────
        hsq          896    0.41
        qsgd:l…     2304  1.2e-2
        """)
    #expect(Self.sample.render(maxWidth: 80) == Self.sample.render())
  }

  @Test func widthCountsCombiningMarksAsZero() {
    let decomposed = "e\u{301}te\u{301}"  // "été" with combining acute accents
    #expect(TextTable.displayWidth(decomposed) == 3)
    var table = TextTable(columns: ["word", "n"])
    table.append([decomposed, "1"])
    table.append(["abcd", "22"])
    let lines = table.render().split(separator: "\n").map(String.init)
    #expect(Set(lines.map(TextTable.displayWidth)).count == 1)
    #expect(TextTable.truncate("abcdef", toWidth: 4) == "abc…")
    #expect(TextTable.truncate("a\u{301}b\u{301}c", toWidth: 2) == "a\u{301}…")
    #expect(TextTable.truncate("abc", toWidth: 3) == "abc")
  }

  @Test func markdownHasAlignmentRowAndEscapesPipes() {
    var table = Self.sample
    table.append(["a|b", "", "nan"])
    #expect(
      table.markdown == """
        | compressor    | bits/step |    rho |
        | :------------ | --------: | -----: |
        | hsq           |       896 |   0.41 |
        | qsgd:levels=4 |      2304 | 1.2e-2 |
        | a\\|b          |           |    nan |
        """)
  }

  @Test func shortRowsArePaddedAndNewlinesFlattened() {
    var table = TextTable(columns: ["a", "b", "c"])
    table.append(["x\ny"])
    #expect(table.rows == [["x\ny", "", ""]])
    #expect(table.render() == "a    b  c\n───  ─  ─\nx y      ")
  }

  @Test(arguments: [
    ("12", true), ("-3.5", true), ("1e-5", true), ("12%", true), ("1.2k", true), ("nan", true), ("-inf", true),
    ("abc", false), ("1,000", false), ("k", false), ("", false), ("hsq-8", false), ("--1", false),
  ])
  func numericDetection(cell: String, numeric: Bool) {
    #expect(TextTable.looksNumeric(cell) == numeric)
  }
}
