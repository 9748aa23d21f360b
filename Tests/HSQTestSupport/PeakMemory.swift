import Foundation
import Synchronization

/// The process's peak resident memory is one number for every test running in it. A test that asserts on it
/// and the tests that use the most memory take turns through ``exclusive(_:)``, which first resets the peak
/// (Linux: `VmHWM`, reset by writing 5 to /proc/self/clear_refs), so the measuring test sees what ran while it
/// held the turn rather than whatever another suite allocated earlier in the run.
public enum PeakMemory {
  private static let turn = Mutex(())

  /// Runs `body` while no other memory-heavy or memory-measuring test runs, with the peak reset first.
  public static func exclusive(_ body: () throws -> Void) throws {
    try turn.withLock { _ in
      reset()
      try body()
    }
  }

  /// Resets the peak to the current resident size where the system allows it (Linux).
  public static func reset() {
    #if os(Linux)
      if let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
        handle.write(Data("5".utf8))
        try? handle.close()
      }
    #endif
  }

  /// The peak resident memory since the last ``reset()`` (Linux: `VmHWM`), else since the process started.
  public static var peakResidentBytes: Int {
    #if os(Linux)
      if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
         let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
         let kB = Int(line.split(separator: " ").dropFirst().first ?? "") {
        return kB * 1024
      }
      var usage = rusage()
      getrusage(RUSAGE_SELF.rawValue, &usage)
      return Int(usage.ru_maxrss) * 1024
    #else
      var usage = rusage()
      getrusage(RUSAGE_SELF, &usage)
      return Int(usage.ru_maxrss)
    #endif
  }
}
