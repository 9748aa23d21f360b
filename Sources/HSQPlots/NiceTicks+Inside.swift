import Foundation

extension NiceTicks {
  /// Ticks for a linear axis that ends where its range ends: round values inside `lower...upper`.
  ///
  /// The step is the smallest of 1, 2 or 5 × 10ᵏ that puts at most `maxCount`
  /// ticks inside the range. Unlike ``linear(lower:upper:maxCount:)`` the axis
  /// does not grow to the next tick, so a padded data range stays as padded
  /// and no point lands on the frame.
  ///
  /// - Parameters:
  ///   - lower: the low end of the axis.
  ///   - upper: the high end of the axis (> `lower`).
  ///   - maxCount: the most ticks wanted (at least 2).
  /// - Returns: increasing ticks inside the range; empty for an empty or non-finite range.
  public static func linear(inside lower: Double, _ upper: Double, maxCount: Int = 5) -> [Double] {
    guard lower.isFinite, upper.isFinite, upper > lower, (upper - lower).isFinite else { return [] }
    let count = max(2, maxCount)
    var exponent = Int(log10((upper - lower) / Double(count)).rounded(.down)) - 1
    while true {
      for mantissa in [1.0, 2.0, 5.0] {
        let step = value(mantissa, exponent)
        let first = (lower / step - 1e-9).rounded(.up), last = (upper / step + 1e-9).rounded(.down)
        guard abs(first) < 1e15, abs(last) < 1e15 else { return [] }
        if last - first + 1 <= Double(count) {
          return first > last ? [] : stride(from: first, through: last, by: 1).map { value(mantissa * $0, exponent) }
        }
      }
      exponent += 1
    }
  }

  /// Ticks for a base-10 logarithmic axis that ends where its range ends, so it has no empty decade.
  ///
  /// The powers of ten inside `lower...upper` when there are at least two
  /// (every k-th when there are more than `maxCount`); else 1, 2, 5 times the
  /// powers of ten inside; else 1…9 times them (every k-th where there are
  /// more than `maxCount`); else the linear ticks inside.
  ///
  /// - Parameters:
  ///   - lower: the low end of the axis (> 0).
  ///   - upper: the high end of the axis (> `lower`).
  ///   - maxCount: the most ticks wanted (at least 2).
  /// - Returns: increasing ticks inside the range; empty for a range that is not positive and finite.
  public static func logarithmic(inside lower: Double, _ upper: Double, maxCount: Int = 5) -> [Double] {
    guard lower.isFinite, upper.isFinite, lower > 0, upper > lower else { return [] }
    let count = max(2, maxCount)
    let a = log10(lower), b = log10(upper)
    let low = Int((a - 1e-9).rounded(.up)), high = Int((b + 1e-9).rounded(.down))
    if high > low {
      let every = (high - low + count - 2) / (count - 1)
      let aligned = stride(from: low, through: high, by: 1).filter { $0 % every == 0 }
      let exponents = aligned.count >= 2 ? aligned : Array(stride(from: low, through: high, by: every))
      return exponents.map { value(1, $0) }
    }
    let inside = { (v: Double) in v >= lower * (1 - 1e-9) && v <= upper * (1 + 1e-9) }
    for mantissas in [[1.0, 2, 5], [1.0, 2, 3, 4, 5, 6, 7, 8, 9]] {
      let ticks = (Int(a.rounded(.down))...Int(b.rounded(.down))).flatMap { e in mantissas.map { value($0, e) } }.filter(inside)
      guard ticks.count >= 2 else { continue }
      let every = (ticks.count + count - 1) / count
      return stride(from: 0, to: ticks.count, by: every).map { ticks[$0] }
    }
    return linear(inside: lower, upper, maxCount: count).filter { $0 > 0 }
  }
}
