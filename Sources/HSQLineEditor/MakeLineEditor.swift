import CEditLine

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The line editor for this process's standard input.
///
/// libedit (``LibEditLineEditor``) when standard input is a terminal, a
/// ``PlainLineReader`` otherwise, so piped input prints exactly what a script
/// prints. If libedit cannot start, says why on standard error and falls
/// back to the plain reader.
///
/// - Parameter historyPath: The history file for the terminal editor, e.g.
///   ``defaultHistoryPath(fileName:)``; `nil` keeps no file.
/// - Returns: The editor to read commands with.
public func makeLineEditor(historyPath: String?) -> any LineEditor {
  guard isatty(STDIN_FILENO) == 1 else { return PlainLineReader() }
  do {
    return try LibEditLineEditor(historyPath: historyPath)
  } catch {
    fputs("hsq: \(error.message) Reading lines without editing.\n", hsq_stderr())
    return PlainLineReader()
  }
}

/// `$HOME/<fileName>`, or `nil` when `HOME` is not set.
///
/// - Parameter fileName: The file's name in the home directory.
/// - Returns: The path, e.g. `/home/ada/.hsq_history`.
public func defaultHistoryPath(fileName: String = ".hsq_history") -> String? {
  guard let home = getenv("HOME").map({ String(cString: $0) }), !home.isEmpty else { return nil }
  return home.hasSuffix("/") ? home + fileName : home + "/" + fileName
}
