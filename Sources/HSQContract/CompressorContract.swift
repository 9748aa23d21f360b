import HSQCompressors
import HSQCore

/// The `Compressor` contract as runnable checks: the same ones the test suite holds every
/// built-in to, and `check <compressor>` holds a loaded one to.
///
/// ```
/// declaration       canonical spec, one-sentence summary, docs, ω ≥ 0 / δ ∈ (0, 1], bits vs isFixedSize
/// round trip        length, bits(length:) = payload bitCount, bytes, same seed → same payload,
///                   deterministic error = expectedError ≤ errorBound
/// non-finite input  NaN and ±∞ throw HSQError.nonFinite naming the index
/// truncated payload decode throws HSQError.malformedPayload
/// random payload    random bytes of the right length decode or throw malformedPayload
/// unbiasedness      |mean Q(v)_i − v_i| ≤ k·σ/√n, σ² = expectedError(v) or errorBound(v)
/// expected error    |mean ‖Q(v) − v‖² − expectedError(v)| ≤ k·SE
/// error bound       mean ‖Q(v) − v‖² ≤ errorBound(v) + k·SE
/// ```
///
/// Statistical checks are seeded (the same draws on every run) and take their tolerance from
/// the compressor's own formulas, k = 5 standard errors: a correct compressor fails one
/// comparison with probability below 10⁻⁶.
public enum CompressorContract {
  /// How much work the statistical checks do.
  public struct Options: Sendable, Hashable {
    /// Monte Carlo draws per vector of length 1, 7 and 37 (2000: SE about 2% of σ).
    public var draws = 2000
    /// Draws for the one long vector (length 1027), where each draw costs more.
    public var longDraws = 100
    /// Standard errors a Monte Carlo mean may stray from the theory.
    public var k = 5.0

    public init(draws: Int = 2000, longDraws: Int = 100, k: Double = 5) {
      self.draws = draws
      self.longDraws = longDraws
      self.k = k
    }
  }

  /// The lengths every structural check runs on.
  public static let lengths = [1, 7, 100, 1000, 1024 + 3]

  /// Builds `spec` from the registry and runs every check on it.
  ///
  /// - Throws: when `spec` does not build, or ``HSQError/interrupted`` when the current
  ///   ``Cancellation`` is cancelled; failures of the compressor itself (wrong answers or
  ///   thrown errors) are failed checks.
  public static func check(_ spec: String, options: Options = Options()) throws -> [ContractCheckResult] {
    let c = try Compressors.make(spec)
    let results = [declaration(spec)] + [roundTrip(c), nonFiniteInput(c), truncatedPayloads(c), randomPayloads(c)]
      + statistics(c, options: options)
    try Cancellation.checkCurrent()
    return results
  }

  /// Whether every check in `results` passed.
  public static func allPassed(_ results: [ContractCheckResult]) -> Bool {
    results.allSatisfy(\.passed)
  }
}
