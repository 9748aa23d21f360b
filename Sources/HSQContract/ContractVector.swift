import HSQCompressors
import HSQCore

/// The test vectors the contract runs on, by kind; each is the worst case of some compressor.
public enum ContractVector: String, CaseIterable, Sendable, CustomStringConvertible {
  /// Seeded standard normal entries.
  case gaussian
  /// One non-zero entry (−3.5 in the middle): the worst case of sign and sparsifying compressors.
  case spike
  /// Every entry 0.75: the worst case of top-k, and a tie everywhere.
  case constant
  /// (1, t, …, t) with t = 1/(√d + 1): TernGrad's worst case.
  case adversarial
  /// All zeros.
  case zero

  public var description: String { rawValue }

  /// The vector of this kind with length `d` (the same on every call).
  public func vector(_ d: Int) -> [Float] {
    switch self {
    case .gaussian:
      var rng = RandomStream.derived(from: 2024, purpose: "contract-vector", d)
      return (0..<d).map { _ in Float(rng.gaussian()) }
    case .spike:
      var v = [Float](repeating: 0, count: d)
      v[d / 2] = -3.5
      return v
    case .constant:
      return [Float](repeating: 0.75, count: d)
    case .adversarial:
      let t = Float(1 / (Double(d).squareRoot() + 1))
      return [1] + [Float](repeating: t, count: d - 1)
    case .zero:
      return [Float](repeating: 0, count: d)
    }
  }
}

/// Sample statistics for the contract's Monte Carlo checks.
public enum ContractStatistics {
  /// Mean and standard error of `samples`.
  public static func meanAndStandardError(_ samples: [Double]) -> (mean: Double, se: Double) {
    let n = Double(samples.count)
    let mean = samples.reduce(0, +) / n
    guard samples.count > 1 else { return (mean, 0) }
    let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
    return (mean, (variance / n).squareRoot())
  }

  /// Tolerance for float32 rounding of outputs, relative to the size of the compared quantity.
  ///
  /// Float32 outputs add rounding of relative size 2⁻²⁴ per entry; 1e-6 of the scale covers
  /// that and is far below every statistical tolerance of the contract.
  public static func floatSlack(_ scale: Double) -> Double { 1e-6 * scale }
}
