import CEditLine
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The terminal line editor: libedit with emacs keys, history, Ctrl-R and Tab completion.
///
/// Up/Down walk the history, Ctrl-R searches it incrementally, Tab completes
/// through ``completer`` (common prefix first, then a column list like
/// bash). Ctrl-C at the prompt drops the line and returns
/// ``LineInput/interrupted``; Ctrl-D on an empty line returns
/// ``LineInput/endOfInput``. A history file given at creation is loaded,
/// then rewritten atomically (mode 0600) after each entered line and at the
/// end of input. `~/.editrc` (or `$EDITRC`) is read after the defaults, so
/// users keep their own bindings.
///
/// Creating one installs the ``Interrupt`` SIGINT handler and, when the C
/// locale's character set is not UTF-8, sets `LC_CTYPE` from the
/// environment or else to `C.UTF-8`, which libedit needs to edit UTF-8.
/// ``close()`` (or `deinit`) ends libedit; between lines the terminal is
/// always in its normal mode.
///
/// Call ``readLine(prompt:)`` on the main thread: dispatch worker threads
/// (Swift concurrency's pool on Linux) block SIGINT, so a read there would
/// not see Ctrl-C.
public final class LibEditLineEditor: LineEditor {
  /// Computes Tab completions; `nil` makes Tab beep.
  public var completer: (@Sendable (_ line: String, _ cursor: Int) -> Completion)?

  /// The history file, or `nil` for a session-only history.
  public let historyPath: String?

  /// The last problem with the history file, already printed once on standard error.
  public private(set) var historyWarning: String?

  /// The entered lines, oldest first (what Up and Ctrl-R search).
  public var historyEntries: [String] { history.entries }

  let history: LineHistory
  var editLine: OpaquePointer?
  let output: UnsafeMutablePointer<FILE>
  /// The descriptor libedit's characters are read from (see ``readCharacter(into:)``): on a
  /// terminal, a non-blocking one of its own (``Interrupt/terminalReader(for:)``), closed at the end.
  let inputDescriptor: Int32
  private let ownsInputDescriptor: Bool
  /// The bytes of a UTF-8 character read so far.
  var pendingCharacter = UTF8Assembler()
  private let errorOutput: UnsafeMutablePointer<FILE>
  private var ownedFiles: [UnsafeMutablePointer<FILE>]
  private var prompt: UnsafeMutablePointer<CChar>
  private var persistsHistory: Bool

  /// Starts libedit on a terminal (standard input and output by default).
  ///
  /// - Parameters:
  ///   - historyPath: The history file, e.g. `~/.hsq_history` expanded; `nil` keeps none.
  ///   - historyCapacity: Entries kept, 1000 by default.
  ///   - programName: The name `~/.editrc` lines can be prefixed with.
  ///   - input: Descriptor read from; a non-terminal gives plain line reads
  ///     (no prompt, no editing), which is how tests drive it.
  ///   - output: Descriptor the prompt and line are drawn on.
  /// - Throws: ``LineEditorError`` when libedit cannot start.
  public init(
    historyPath: String?, historyCapacity: Int = 1000, programName: String = "hsq",
    input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO
  ) throws(LineEditorError) {
    let inputFile = input == STDIN_FILENO ? hsq_stdin() : openCopy(of: input, mode: "r")
    guard let inputFile else {
      throw LineEditorError(message: "Cannot read descriptor \(input) for line editing: \(lastErrorText()).")
    }
    let outputFile = output == STDOUT_FILENO ? hsq_stdout() : openCopy(of: output, mode: "w")
    guard let outputFile else {
      let reason = lastErrorText()
      if input != STDIN_FILENO { fclose(inputFile) }
      throw LineEditorError(message: "Cannot write descriptor \(output) for line editing: \(reason).")
    }
    Interrupt.install()
    if let reader = Interrupt.terminalReader(for: fileno(inputFile)) {
      (inputDescriptor, ownsInputDescriptor) = (reader, true)
    } else {
      (inputDescriptor, ownsInputDescriptor) = (fileno(inputFile), false)
    }
    self.historyPath = historyPath
    history = LineHistory(capacity: historyCapacity)
    persistsHistory = historyPath != nil
    errorOutput = hsq_stderr()
    prompt = strdup("")
    ownedFiles = []
    if input != STDIN_FILENO { ownedFiles.append(inputFile) }
    if output != STDOUT_FILENO { ownedFiles.append(outputFile) }
    self.output = outputFile
    if let historyPath {
      do { try history.load(from: historyPath) } catch {
        persistsHistory = false
        warn(error.message + " History will not be saved this session.")
      }
    }
    Self.setUp.withLock { _ in
      ensureUTF8CharacterSet()
      editLine = el_init(programName, inputFile, outputFile, errorOutput)
    }
    guard let editLine else {
      closeOwnedFiles()
      throw LineEditorError(message: "Cannot start libedit: el_init failed.")
    }
    Self.setUp.withLock { _ in configure(editLine) }
  }

  /// Held while an editor starts or ends. `setlocale` and the terminal database that `el_init`,
  /// `~/.editrc` and `el_end` read are process-wide and not thread-safe: two editors starting on two
  /// threads at once (as tests do) could read a locale the other is replacing.
  private static let setUp = Mutex(())

  deinit {
    close()
    free(prompt)
  }

  /// Shows `prompt`, lets the user edit, and returns the entered line.
  ///
  /// - Parameter prompt: The prompt, e.g. `"hsq> "`.
  /// - Returns: The line without its newline; ``LineInput/interrupted`` after
  ///   Ctrl-C (the ``Interrupt`` flag is cleared; print `^C` and a new
  ///   prompt); ``LineInput/endOfInput`` after Ctrl-D on an empty line (the
  ///   history is saved) or after ``close()``.
  public func readLine(prompt: String) -> LineInput {
    guard let editLine else { return .endOfInput }
    setPrompt(prompt)
    var count: Int32 = 0
    errno = 0
    guard let raw = el_gets(editLine, &count), count > 0 else {
      if errno == EINTR {
        Interrupt.reset()
        moveCursorToEndOfLine()
        return .interrupted
      }
      saveHistory()
      return .endOfInput
    }
    var bytes = UnsafeRawBufferPointer(start: raw, count: Int(count))[...]
    if bytes.last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
    if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
    return .line(String(decoding: bytes, as: UTF8.self))
  }

  /// Enters `line` in the history and rewrites the history file.
  ///
  /// Blank lines and a repeat of the newest entry are not entered.
  ///
  /// - Parameter line: The line the user entered.
  public func addHistory(_ line: String) {
    if history.add(line) { saveHistory() }
  }

  /// Ends libedit, restoring the terminal; later reads return ``LineInput/endOfInput``.
  public func close() {
    guard let editLine else { return }
    saveHistory()
    Self.setUp.withLock { _ in el_end(editLine) }
    self.editLine = nil
    closeOwnedFiles()
  }

  private func saveHistory() {
    guard persistsHistory, let historyPath else { return }
    do { try history.save(to: historyPath) } catch { warn(error.message) }
  }

  /// After Ctrl-C, redraws the text right of the cursor so whatever the caller
  /// prints next (`^C`) lands after the abandoned line, not inside it.
  private func moveCursorToEndOfLine() {
    guard let editLine, let info = el_wline(editLine)?.pointee,
      let cursor = info.cursor, let end = info.lastchar, cursor < end
    else { return }
    let tail = UnsafeBufferPointer(start: cursor, count: end - cursor).map {
      Unicode.Scalar(UInt32(bitPattern: $0)) ?? "\u{FFFD}"
    }
    fputs(String(String.UnicodeScalarView(tail)), output)
    fflush(output)
  }

  private func setPrompt(_ text: String) {
    free(prompt)
    prompt = strdup(text)
  }

  /// The prompt for libedit's callback.
  var promptText: UnsafeMutablePointer<CChar> { prompt }

  /// Prints a history problem once.
  private func warn(_ message: String) {
    guard message != historyWarning else { return }
    historyWarning = message
    fputs("hsq: \(message)\n", errorOutput)
    fflush(errorOutput)
  }

  private func closeOwnedFiles() {
    for file in ownedFiles { fclose(file) }
    ownedFiles = []
    if ownsInputDescriptor { closeDescriptor(inputDescriptor) }
  }
}

/// `close(2)`, for methods of a type that has its own `close()`.
private func closeDescriptor(_ descriptor: Int32) { _ = close(descriptor) }
