import HSQCore
import HSQNotebook
import Testing

/// A notebook's error renders like every other error a front end shows: through ``UserFacingError``.
@Suite struct NotebookErrorMessageTests {
  @Test func aNotebookErrorIsAUserFacingError() {
    let error: any Error = NotebookError.missingRecord(path: "quick/a.md")
    #expect(error is any UserFacingError)
    #expect(userFacingMessage(for: error) == "there is no recorded output at quick/a.md; run 'hsq-repl notebook run' first.")
  }
}
