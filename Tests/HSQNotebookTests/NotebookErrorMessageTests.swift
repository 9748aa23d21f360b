import HSQCore
import HSQNotebook
import Testing

/// A notebook's error renders like every other error a front end shows: through ``UserFacingError``.
@Suite struct NotebookErrorMessageTests {
  @Test func aNotebookErrorIsAUserFacingError() {
    let error: any Error = NotebookError.unreadable(path: "a.md")
    #expect(error is any UserFacingError)
    #expect(userFacingMessage(for: error) == "cannot read 'a.md'; give the path of a Markdown notebook.")
  }
}
