import Foundation

/// Marks threads that already run one share of a parallel loop, so that
/// kernels called there do not split their work across the cores again.
///
/// An experiment runs its workers one per core; a worker's HSQ search would
/// otherwise fan out to every core too, and the nested fan-out costs
/// wake-ups and contention without adding any parallelism.
///
/// ```
/// ParallelRegion.run { compressor.encode(g, rng: &rng) }   // encode stays on this thread
/// ```
public enum ParallelRegion {
  private static let key = "hsq.parallel-region"

  /// True on a thread inside ``run(_:)``.
  public static var isActive: Bool {
    Thread.current.threadDictionary[key] != nil
  }

  /// Runs `body` with ``isActive`` true on the calling thread.
  public static func run<T>(_ body: () throws -> T) rethrows -> T {
    let dictionary = Thread.current.threadDictionary
    if dictionary[key] != nil { return try body() }
    dictionary[key] = true
    defer { dictionary.removeObject(forKey: key) }
    return try body()
  }
}
