#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Reads lines from a pipe, a file or a string: no prompt, no editing, no history.
///
/// Used when standard input is not a terminal, so `hsq-repl < script` and
/// `cat script | hsq-repl` print exactly what running the script prints.
/// Lines end at LF; a CR before it is dropped (CR LF files), a last line
/// without a newline is still a line, a UTF-8 byte-order mark at the very
/// start is skipped, and invalid UTF-8 becomes U+FFFD. ``addHistory(_:)`` and
/// ``completer`` are accepted and ignored.
public final class PlainLineReader: LineEditor {
  /// Ignored: there is no Tab on a pipe.
  public var completer: (@Sendable (_ line: String, _ cursor: Int) -> Completion)?

  private let descriptor: Int32?
  private var buffer: [UInt8]
  private var position = 0
  private var reachedEnd: Bool
  private var atStart = true

  /// Reads from an open file descriptor (standard input by default).
  ///
  /// The descriptor is not closed by the reader.
  ///
  /// - Parameter fileDescriptor: A readable descriptor: a pipe, a file, a socket.
  public init(fileDescriptor: Int32 = STDIN_FILENO) {
    descriptor = fileDescriptor
    buffer = []
    reachedEnd = false
  }

  /// Reads from bytes held in memory, split exactly as a file would be.
  ///
  /// - Parameter bytes: The whole input, e.g. a script's contents.
  public init(bytes: [UInt8]) {
    descriptor = nil
    buffer = bytes
    reachedEnd = true
  }

  /// Reads from a string held in memory, split exactly as a file would be.
  ///
  /// - Parameter text: The whole input, e.g. `"step\nstats\n"`.
  public convenience init(text: String) { self.init(bytes: Array(text.utf8)) }

  /// Returns the next line; `prompt` is not shown.
  ///
  /// - Parameter prompt: Ignored.
  /// - Returns: The next line, ``LineInput/endOfInput`` at the end (or on a
  ///   read error), or ``LineInput/interrupted`` when Ctrl-C interrupted a
  ///   blocking read (the ``Interrupt`` flag is then cleared).
  public func readLine(prompt: String) -> LineInput {
    while true {
      if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
        let line = take(upTo: newline)
        position = newline + 1
        return .line(line)
      }
      if reachedEnd {
        guard position < buffer.count else { return .endOfInput }
        let line = take(upTo: buffer.count)
        position = buffer.count
        return .line(line)
      }
      if fill() == .interrupted { return .interrupted }
    }
  }

  /// Does nothing: piped input has no history.
  public func addHistory(_ line: String) {}

  /// Decodes `buffer[position..<end]` without its final CR (and a leading BOM).
  private func take(upTo end: Int) -> String {
    var bytes = buffer[position..<end]
    if atStart {
      atStart = false
      if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
    }
    if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
    return String(decoding: bytes, as: UTF8.self)
  }

  private enum FillResult { case filled, interrupted }

  /// Reads one chunk from the descriptor, or marks the end.
  private func fill() -> FillResult {
    guard let descriptor else {
      reachedEnd = true
      return .filled
    }
    if position > 65_536 {
      buffer.removeFirst(position)
      position = 0
    }
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
      let count = chunk.withUnsafeMutableBytes { Interrupt.read(descriptor, into: $0) }
      if count > 0 {
        buffer.append(contentsOf: chunk[..<count])
        return .filled
      }
      if count < 0, errno == EINTR {
        Interrupt.reset()
        return .interrupted
      }
      reachedEnd = true
      return .filled
    }
  }
}
