/// What a command produced: text for people, the same result as JSON for programs.
public struct CommandOutput: Sendable {
  /// The text shown in the REPL (may be empty).
  public var text: String
  /// The machine-readable result (`--json`).
  public var json: JSONValue
  /// Files the command wrote (SVG figures, exports), for notebooks to link.
  public var files: [String]
  /// The error message when the command failed; the session goes on.
  public var error: String?

  public init(text: String = "", json: JSONValue = .null, files: [String] = [], error: String? = nil) {
    self.text = text
    self.json = json
    self.files = files
    self.error = error
  }

  public var isError: Bool { error != nil }

  /// The error as output: one line, the session survives.
  public static func failure(_ message: String) -> CommandOutput {
    CommandOutput(text: "", json: .object([("error", .string(message))]), error: message)
  }
}
