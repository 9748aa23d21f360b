import CEditLine

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A history file that could not be read or written, with a message for the user.
///
/// The editor prints ``message`` once and goes on without persistence: a bad
/// history file never stops a session.
public struct LineHistoryError: Error, Equatable, Sendable, CustomStringConvertible {
  /// One sentence naming the file, the problem and the fix.
  public var message: String

  /// Wraps a message.
  public init(message: String) { self.message = message }

  /// The message.
  public var description: String { message }
}

extension LineHistory {
  /// Appends the entries of a history file (libedit format) to this history.
  ///
  /// A missing or empty file is an empty history. Entries beyond
  /// ``capacity`` drop the oldest, consecutive duplicates collapse.
  ///
  /// - Parameter path: The file, e.g. `~/.hsq_history` expanded.
  /// - Throws: ``LineHistoryError`` when the file exists but is not a
  ///   readable libedit history file.
  public func load(from path: String) throws(LineHistoryError) {
    var info = stat()
    if stat(path, &info) != 0 {
      if errno == ENOENT { return }
      throw LineHistoryError(message: "Cannot read the history file '\(path)': \(lastErrorText()).")
    }
    if info.st_size == 0 { return }
    var event = HistEvent()
    if hsq_history_load(handle, &event, path) < 0 {
      throw LineHistoryError(
        message: "Cannot read the history file '\(path)': it is not a libedit history file"
          + " (or not readable); move it away to start a new one.")
    }
  }

  /// Writes every entry to `path` atomically, readable by the owner only (mode 0600).
  ///
  /// Writes a temporary file beside the target (`mkstemp`, mode 0600),
  /// flushes it to disk and renames it over the target, so an interrupted
  /// save never leaves a half-written file. A symbolic link at `path` is
  /// followed: its target is replaced, the link kept.
  ///
  /// - Parameter path: The history file.
  /// - Throws: ``LineHistoryError`` when the directory is not writable or the disk is full.
  public func save(to path: String) throws(LineHistoryError) {
    let target = resolvingSymbolicLink(path)
    var template = Array((target + ".XXXXXX").utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard descriptor >= 0 else {
      throw LineHistoryError(message: "Cannot write the history file '\(path)': \(lastErrorText()).")
    }
    let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    guard let file = fdopen(descriptor, "w") else {
      let reason = lastErrorText()
      close(descriptor)
      unlink(temporary)
      throw LineHistoryError(message: "Cannot write the history file '\(path)': \(reason).")
    }
    var event = HistEvent()
    let written = hsq_history_save_fp(handle, &event, file)
    var ok = true
    var reason = ""
    if written < 0 {
      ok = false
      reason = "libedit could not write the entries"
    } else if fflush(file) != 0 || fsync(descriptor) != 0 {
      ok = false
      reason = lastErrorText()
    }
    if fclose(file) != 0, ok { ok = false; reason = lastErrorText() }
    if ok, rename(temporary, target) != 0 { ok = false; reason = lastErrorText() }
    guard ok else {
      unlink(temporary)
      throw LineHistoryError(message: "Cannot write the history file '\(path)': \(reason).")
    }
  }
}

/// `path` with a final symbolic link resolved; `path` itself when it is not a link.
private func resolvingSymbolicLink(_ path: String) -> String {
  var info = stat()
  guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK,
    let resolved = realpath(path, nil)
  else { return path }
  defer { free(resolved) }
  return String(cString: resolved)
}
