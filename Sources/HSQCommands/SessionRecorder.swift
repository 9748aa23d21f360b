import Foundation
import HSQ

/// Keeps the commands of a live session and writes them as a replayable script.
///
/// The script starts with a header, lists every state-changing command in
/// full (experiments with all their settings, so defaults changing later
/// cannot change a replay) and ends with one `# check` line per experiment:
/// its step count and a digest of its records and parameters, which
/// `replay FILE --check` recomputes.
final class SessionRecorder {
  let path: String
  private(set) var lines: [String] = []

  init(path: String) { self.path = path }

  func append(_ line: String) { lines.append(line) }

  /// Writes the script atomically with the check lines for `session`'s experiments.
  func write(for session: Session) throws {
    var text = "# hsq session script: replay with 'hsq-repl \((path as NSString).lastPathComponent)' or 'replay FILE --check'.\n"
    text += lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    for name in session.experimentNames {
      if case let .experiment(e)? = session.variables[name] {
        text += "# check \(name) step=\(e.stepCount) digest=\(Self.digest(e))\n"
      }
    }
    try AtomicFile.write(text, to: path)
  }

  /// FNV-1a 64 of the records (timings left out) and the parameters' bit patterns, as 16 hex digits.
  static func digest(_ e: Experiment) -> String {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    func feed(_ byte: UInt8) { h ^= UInt64(byte); h = h &* 0x100_0000_01B3 }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
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
