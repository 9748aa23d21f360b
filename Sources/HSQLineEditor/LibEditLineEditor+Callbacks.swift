import CEditLine

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

extension LibEditLineEditor {
  /// Sets emacs keys, history, prompt, Tab and Ctrl-R, then reads `~/.editrc`.
  ///
  /// The editor is found again in the C callbacks through `EL_CLIENTDATA`
  /// (unretained: the editor owns the `EditLine` and ends it in `close()`).
  func configure(_ editLine: OpaquePointer) {
    _ = hsq_el_set_client_data(editLine, Unmanaged.passUnretained(self).toOpaque())
    _ = hsq_el_set_signal(editLine, 0)
    _ = hsq_el_set_editor(editLine, "emacs")
    _ = hsq_el_set_history(editLine, history.handle)
    _ = hsq_el_set_prompt(editLine) { editLine in
      guard let editor = LibEditLineEditor.owner(of: editLine) else { return nil }
      return editor.promptText
    }
    _ = hsq_el_set_read_function(editLine) { editLine, character in
      guard let editor = LibEditLineEditor.owner(of: editLine), let character else { return -1 }
      return editor.readCharacter(into: character)
    }
    _ = hsq_el_add_function(editLine, "hsq-complete", "Complete the word before the cursor") { editLine, _ in
      guard let editor = LibEditLineEditor.owner(of: editLine) else { return UInt8(CC_ERROR) }
      return editor.completeAtCursor()
    }
    _ = hsq_el_bind(editLine, "^I", "hsq-complete")
    _ = hsq_el_bind(editLine, "^R", "em-inc-search-prev")
    _ = el_source(editLine, nil)
  }

  /// The editor an `EditLine` callback belongs to.
  private static func owner(of editLine: OpaquePointer?) -> LibEditLineEditor? {
    guard let editLine, let data = hsq_el_client_data(editLine) else { return nil }
    return Unmanaged<LibEditLineEditor>.fromOpaque(data).takeUnretainedValue()
  }

  /// Reads one character for libedit, through ``Interrupt/read(_:into:)``.
  ///
  /// libedit's own reader calls `read` and so blocks past a Ctrl-C that lands
  /// while it redraws the line (the terminal has already dropped the typed-ahead
  /// keys): the prompt then hangs until the next key. This one returns -1 with
  /// `EINTR` as soon as the flag is raised, however it came.
  ///
  /// - Returns: 1 with the character, 0 at end of input, -1 with `errno` set.
  func readCharacter(into character: UnsafeMutablePointer<wchar_t>) -> Int32 {
    var byte: UInt8 = 0
    while true {
      let count = withUnsafeMutableBytes(of: &byte) { Interrupt.read(inputDescriptor, into: $0) }
      guard count == 1 else {
        let error = errno
        pendingCharacter = UTF8Assembler()
        character.pointee = 0
        errno = error
        return count == 0 ? 0 : -1
      }
      if let scalar = pendingCharacter.add(byte) {
        character.pointee = wchar_t(bitPattern: scalar.value)
        return 1
      }
    }
  }

  /// Tab: asks ``completer``, then inserts, beeps or lists (see ``Completion/edit(replacing:)``).
  ///
  /// - Returns: The libedit `CC_*` code telling it how to redraw.
  private func completeAtCursor() -> UInt8 {
    guard let completer, let editLine, let info = el_wline(editLine)?.pointee,
      let buffer = info.buffer, let cursor = info.cursor, let end = info.lastchar
    else { return UInt8(CC_ERROR) }
    let scalars = UnsafeBufferPointer(start: buffer, count: end - buffer).map {
      Unicode.Scalar(UInt32(bitPattern: $0)) ?? "\u{FFFD}"
    }
    let line = String(String.UnicodeScalarView(scalars))
    let beforeCursor = String(String.UnicodeScalarView(scalars[..<(cursor - buffer)]))
    let cursorOffset = beforeCursor.count
    let completion = completer(line, cursorOffset)
    let start = min(max(0, completion.start), cursorOffset)
    let word = String(beforeCursor.dropFirst(start))
    switch completion.edit(replacing: word) {
    case .beep:
      return UInt8(CC_ERROR)
    case .replace(let text):
      el_deletestr(editLine, Int32(word.unicodeScalars.count))
      var wide = text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
      wide.append(0)
      guard el_winsertstr(editLine, wide) == 0 else { return UInt8(CC_ERROR) }
      return UInt8(CC_REFRESH)
    case .list(let candidates):
      let rows = Completion.columns(candidates, width: Int(hsq_el_columns(editLine, 80)))
      fputs("\n" + rows.joined(separator: "\n") + "\n", output)
      fflush(output)
      return UInt8(CC_REDISPLAY)
    }
  }
}
