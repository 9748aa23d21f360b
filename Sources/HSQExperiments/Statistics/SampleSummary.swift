/// The mean of a small sample with its Student-t confidence interval: what a sweep reports per configuration.
///
/// ```
/// mean  = Σxᵢ / n
/// s²    = Σ(xᵢ − mean)² / (n − 1)
/// ±     = t_{(1+level)/2, n−1} · s / √n        (no interval for n < 2)
/// ```
///
/// The interval assumes the seeds' results are independent draws of a roughly
/// normal quantity; with 5 seeds t₀.₉₇₅,₄ = 2.776, so the half-width is
/// 1.24 standard deviations. A paired comparison summarizes the per-seed
/// differences the same way (``paired(_:_:level:)``).
public struct SampleSummary: Sendable, Hashable {
  /// The number of values.
  public let count: Int
  public let mean: Double
  /// The sample standard deviation (n − 1 in the denominator); 0 for one value.
  public let standardDeviation: Double
  /// Half the width of the confidence interval; `nil` for fewer than two values.
  public let halfWidth: Double?
  /// The confidence level, e.g. 0.95.
  public let level: Double

  /// Summarizes `values` (at least one) at confidence `level`.
  public init(_ values: [Double], level: Double = 0.95) {
    precondition(!values.isEmpty, "a summary needs at least one value")
    count = values.count
    self.level = level
    let n = Double(values.count)
    // Summed in order, so the same values give the same digits.
    mean = values.reduce(0, +) / n
    guard values.count > 1 else {
      standardDeviation = 0
      halfWidth = nil
      return
    }
    let m = mean
    let variance = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)
    standardDeviation = variance.squareRoot()
    halfWidth = StudentT(degreesOfFreedom: n - 1).critical(level: level) * standardDeviation / n.squareRoot()
  }

  /// The summary of bᵢ − aᵢ over the pairs (the same seeds in both lists, in the same order).
  public static func paired(_ a: [Double], _ b: [Double], level: Double = 0.95) -> SampleSummary {
    precondition(a.count == b.count, "paired values need the same count")
    return SampleSummary(zip(a, b).map { $1 - $0 }, level: level)
  }

  /// Whether the interval excludes zero (a difference the seeds support); `false` without an interval.
  public var excludesZero: Bool {
    guard let halfWidth else { return false }
    return mean - halfWidth > 0 || mean + halfWidth < 0
  }
}
