import Foundation
import HSQ

/// Where a working directory's session journal lives, and how often it is written.
public struct JournalSettings: Sendable, Equatable {
  /// A snapshot at least every this many steps of the session's experiments (added up over them).
  public var everySteps: Int
  /// … and at least every this many seconds of command time (time at the prompt does not count).
  public var everySeconds: Double

  /// 2500 steps or 30 s. On the benchmark MLP (`hsq-bench train`, about 400 steps/s through a session) 2500
  /// steps are about 6 s and a snapshot costs about 0.1 s, so the journal costs a few percent at most
  /// (docs/BENCHMARKS.md, "Journal"); slower experiments reach the 30 s first, so a crash loses at most that.
  public static let `default` = JournalSettings(everySteps: 2500, everySeconds: 30)

  public init(everySteps: Int, everySeconds: Double) {
    self.everySteps = everySteps
    self.everySeconds = everySeconds
  }
}

/// The journal folder of a working directory.
///
/// `$HSQ_JOURNAL_DIR` when set (used as is), else `$XDG_STATE_HOME/hsq/journal/KEY` (with
/// `~/.local/state` when `XDG_STATE_HOME` is unset), where `KEY` is the last component of the working
/// directory and 16 hex digits of its path's FNV-1a hash: one journal per directory, private to its
/// user (the folder is made with mode 0700, its files 0600).
public enum JournalLocation {
  public static func directory(for workingDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    if let explicit = environment["HSQ_JOURNAL_DIR"], !explicit.isEmpty { return explicit }
    let state = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
      ?? (environment["HOME"] ?? NSTemporaryDirectory()) + "/.local/state"
    let path = URL(fileURLWithPath: workingDirectory).standardized.path
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in path.utf8 { h ^= UInt64(byte); h = h &* 0x100_0000_01B3 }
    let last = URL(fileURLWithPath: path).lastPathComponent.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
    return state + "/hsq/journal/\(last.isEmpty ? "root" : String(last.prefix(40)))-\(String(h, radix: 16).leftPadded(to: 16))"
  }
}
