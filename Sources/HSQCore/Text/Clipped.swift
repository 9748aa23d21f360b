/// `text` for an error message: at most `limit` characters, the rest elided with `…`.
///
/// Errors echo what they could not use (a value, a cell, a token) so that it can be found and
/// fixed; but a file named by a checkpoint or a script may be anything, so an echo stays short.
///
/// - Parameter limit: characters kept; ``fileTextLimit`` for text read from a file.
public func clipped(_ text: some StringProtocol, limit: Int = 32) -> String {
  text.count <= limit ? String(text) : String(text.prefix(limit)) + "…"
}

/// Characters of a file's content (a cell, a token, a label) an error message may echo.
public let fileTextLimit = 12
