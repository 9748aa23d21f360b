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
/// unbiasedness      |mean Q(v)_i − v_i| ≤ k·σᵢ/√n, σᵢ² the coordinate's own variance
///                   (coordinateVariances(v), else its sample variance); and along v,
///                   |mean ⟨Q(v) − v, v⟩/‖v‖| ≤ k·SE
/// expected error    |mean ‖Q(v) − v‖² − expectedError(v)| ≤ k·SE
/// error bound       mean ‖Q(v) − v‖² ≤ errorBound(v) + k·SE
/// ```
///
/// Statistical checks are seeded (the same draws on every run) with k = 5 standard errors: a
/// correct compressor fails one comparison with probability 5.7·10⁻⁷ (a normal mean; heavier
/// when a coordinate moves in few draws, as random-k's at d = 37 do in about 54 of 2000).
/// A compressor has up to 219 comparisons (180 coordinates, 13 projections, 13 + 13 error
/// checks); the test suite's 36 compressor specs make 5130, so by the union bound one reseed of
/// the suite fails a correct registry with probability at most 5130 × 5.7·10⁻⁷ ≈ 3·10⁻³. (Before
/// the per-coordinate σᵢ there were about 16,000, ≈ 9·10⁻³, though far wider tolerances.)
///
/// Power: a bias of ε‖v‖ along v (a scale 1 + ε) shows with z ≈ ε·√(n·d/ω) against the
/// projection's SE, so with n = 2000 at d = 37 a scale of 1.02 is caught (z > 8) for ω ≲ 0.45,
/// and a bias of β·v_i on one coordinate with z ≈ β·√n/√ωᵢ.
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
