import Foundation
import HSQCore

extension RandomStream {
  /// A Gamma(shape, 1) draw (Marsaglia & Tsang, 2000).
  ///
  /// ```
  /// shape ≥ 1:  d = shape − 1/3, c = 1/√(9d); repeat x ~ N(0,1), v = (1 + c·x)³, u ~ U(0,1)
  ///             until v > 0 and log u < x²/2 + d − d·v + d·log v;  return d·v
  /// shape < 1:  Gamma(shape + 1) · u^(1/shape)
  /// ```
  ///
  /// Mean and variance are both `shape`. For very small shapes the draw can
  /// underflow to 0; use ``logGamma(shape:)`` then.
  ///
  /// - Parameter shape: the shape α > 0.
  public mutating func gamma(shape: Double) -> Double {
    exp(logGamma(shape: shape))
  }

  /// The logarithm of a Gamma(shape, 1) draw, exact in range even when the draw underflows.
  public mutating func logGamma(shape: Double) -> Double {
    precondition(shape > 0 && shape.isFinite, "the Gamma shape must be positive and finite")
    if shape < 1 {
      var u = uniformDouble()
      while u == 0 { u = uniformDouble() }
      return logGamma(shape: shape + 1) + log(u) / shape
    }
    let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
    while true {
      let x = gaussian()
      let t = 1 + c * x
      guard t > 0 else { continue }
      let v = t * t * t
      var u = uniformDouble()
      while u == 0 { u = uniformDouble() }
      if u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)) {
        return log(d) + log(v)
      }
    }
  }

  /// A draw from the symmetric Dirichlet(α, …, α) on `count` categories: proportions summing to 1.
  ///
  /// Normalized Gamma(α) draws, computed from their logarithms so tiny α
  /// (almost all mass on one category) stays exact.
  public mutating func dirichlet(alpha: Double, count: Int) -> [Double] {
    precondition(count >= 1, "a Dirichlet needs at least one category")
    let logs = (0..<count).map { _ in logGamma(shape: alpha) }
    let top = logs.max()!
    let weights = logs.map { exp($0 - top) }
    let total = weights.reduce(0, +)
    return weights.map { $0 / total }
  }
}
