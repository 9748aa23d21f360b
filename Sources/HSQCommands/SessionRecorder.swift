import Foundation
import HSQ

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes a live session's commands through to a replayable script as they run.
///
/// The script starts with a header and the commands that recreate the session's state when the
/// recording began (see ``Session/recordingPreamble(target:)``), then lists every state-changing
/// command in full (experiments with all their settings, so defaults changing later cannot change a
/// replay), each appended and handed to the kernel as soon as it has run — a session killed or hung
/// up on leaves a script with every command so far. `record stop` (or leaving the session) ends it
/// with one `# check` line per experiment: its step count and a digest of its records and
/// parameters, which `replay FILE --check` recomputes.
final class SessionRecorder {
  let path: String
  /// Commands in the script so far, the preamble's included.
  private(set) var count: Int
  private let descriptor: Int32

  /// Creates the script at `path` (through ``AtomicFile``, so a device or FIFO is refused) with `preamble`.
  init(path: String, preamble: [String]) throws {
    self.path = path
    let header = "# hsq session script: replay with 'hsq-repl \((path as NSString).lastPathComponent)' or 'replay FILE --check'.\n"
    try AtomicFile.write(header + preamble.map { $0 + "\n" }.joined(), to: path)
    descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw HSQError.fileWrite(path: path, problem: "cannot reopen it to append (\(String(cString: strerror(errno)))).")
    }
    count = preamble.count
  }

  deinit { close(descriptor) }

  /// Appends one command.
  func append(_ line: String) throws {
    try put(line + "\n")
    count += 1
  }

  /// Appends the check lines for `session`'s experiments and flushes the script to disk.
  func finish(for session: Session) throws {
    var text = ""
    for name in session.experimentNames {
      if case let .experiment(e)? = session.variables[name] {
        text += "# check \(name) step=\(e.stepCount) digest=\(Self.digest(e))\n"
      }
    }
    try put(text)
    guard fsync(descriptor) == 0 else {
      throw HSQError.fileWrite(path: path, problem: "cannot flush it to disk (\(String(cString: strerror(errno)))); check free space.")
    }
  }

  /// Writes all of `text` at the end of the script.
  private func put(_ text: String) throws {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
      if written < 0, errno == EINTR { continue }
      guard written > 0 else {
        throw HSQError.fileWrite(path: path, problem: "cannot append to it (\(String(cString: strerror(errno)))); the recording stopped.")
      }
      bytes = bytes.dropFirst(written)
    }
  }

  /// FNV-1a 64 of the records (timings left out) and the parameters' bit patterns, as 16 hex digits.
  static func digest(_ e: Experiment) -> String {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    func feed(_ byte: UInt8) { h ^= UInt64(byte); h = h &* 0x100_0000_01B3 }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    // Over the version-1 field names, so recordings made before records were renamed still verify.
    encoder.userInfo[.recordKeyNames] = RecordKeyNames.version1
    if let data = try? encoder.encode(e.history.map(\.withoutTimings)) { for b in data { feed(b) } }
    for layer in e.parameters { for x in layer { withUnsafeBytes(of: x.bitPattern.littleEndian) { for b in $0 { feed(b) } } } }
    return String(h, radix: 16).leftPadded(to: 16)
  }

  /// The `# check NAME step=N digest=HEX` lines of a script.
  static func checks(in lines: [String]) -> [(name: String, step: Int, digest: String)] {
    lines.compactMap { line in
      let words = line.split(separator: " ")
      guard words.count == 5, words[0] == "#", words[1] == "check", words[3].hasPrefix("step="), words[4].hasPrefix("digest="),
            let step = Int(words[3].dropFirst(5)) else { return nil }
      return (String(words[2]), step, String(words[4].dropFirst(7)))
    }
  }
}

extension String {
  func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
