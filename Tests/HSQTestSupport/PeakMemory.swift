import Foundation

/// The process's peak resident memory. It is one number for everything running in the process, so a test that
/// holds code to a memory bound runs that code in a process of its own (an exit test, or a tool such as
/// `hsq-bench checkpoint`) and reads the peak there.
public enum PeakMemory {
  /// The process's peak resident memory (Linux: `VmHWM`; elsewhere `ru_maxrss`).
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
