import Foundation

/// Resident memory of this process, read from /proc/self/status (Linux).
enum ProcessMemory {
  /// Current resident set size in bytes (VmRSS).
  static var resident: Int { field("VmRSS:") }
  /// Peak resident set size in bytes since the last ``resetPeak()`` (VmHWM).
  static var peak: Int { field("VmHWM:") }

  /// Resets the peak to the current resident size (writes 5 to /proc/self/clear_refs).
  static func resetPeak() {
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
  }

  private static func field(_ name: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix(name) {
      let digits = line.dropFirst(name.count).trimmingCharacters(in: .whitespaces).split(separator: " ").first
      return (digits.flatMap { Int($0) } ?? 0) * 1024
    }
    return 0
  }
}
