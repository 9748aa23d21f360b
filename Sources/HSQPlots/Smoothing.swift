/// Smoothing of noisy curves, such as the per-step training loss: `plot --smooth N`.
public enum Smoothing {
  /// The exponential moving average of `values` over a span of `span` points.
  ///
  /// ```
  /// s₀ = y₀,   sₜ = sₜ₋₁ + α (yₜ − sₜ₋₁),   α = 2 / (span + 1)
  /// ```
  /// the convention of pandas' `ewm(span=N, adjust=False)`: the weight of a
  /// point falls by a factor 1 − α per later point, and a span of N puts about
  /// 86 % of the weight on the last N points. Span 1 gives the values back.
  /// A non-finite value (a step without the metric) stays in the output as it
  /// is and leaves the average unchanged; the average starts at the first
  /// finite value.
  ///
  /// - Parameters:
  ///   - values: the curve, in order.
  ///   - span: the span N (at least 1).
  /// - Returns: the smoothed curve, as long as `values`.
  public static func ema(_ values: [Double], span: Int) -> [Double] {
    let alpha = 2 / (Double(max(1, span)) + 1)
    var average: Double?
    return values.map { y in
      guard y.isFinite else { return y }
      let next = average.map { $0 + alpha * (y - $0) } ?? y
      average = next
      return next
    }
  }
}
