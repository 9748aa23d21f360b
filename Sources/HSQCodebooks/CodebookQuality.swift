import HSQCore

/// The figures that say how good a codebook C (D×K, codewords as columns) is for HSQ.
///
/// ```
/// σ_min(C)       = σ_D(C), positive iff the codewords span R^D (unbiased HSQ needs it)
/// ω₂(C)          = max_{s∈{±1}^K} ‖(C⁺)ᵀs‖² − 1          worst-case variance, unbiased HSQ (pinv)
///   upper bounds:  K/σ_min² − 1,   Σ_ij |(C⁺C⁺ᵀ)_ij| − 1
///   exact:         enumeration of 2^(K−1) sign vectors when K ≤ exactLimit (≤ 30)
///   lower bound:   alternating ascent
/// δ(C)           = min_{‖x‖=1} max_k ⟨c_k, x⟩²           contraction, nearest-neighbour HSQ
///   lower bounds:  σ_min²/K   and   1/(1 + ω₂)  (since ω₁ = 1/δ − 1 ≤ ω₂)
///   upper bound:   Monte Carlo minimum, refined by descent on the sphere
/// mean cos²θ     = E_x max_k ⟨c_k, x⟩²,  x uniform on the sphere, with its standard error
/// ```
///
/// THEORY.md §2–§3. Reference values: Gaussian D = 8, K = 32: δ ≈ 0.0932
/// (lower bound 0.040), ω₂ = 16.83; orthonormal: δ = 1/D, ω₂ = D − 1, mean
/// cos²θ = 0.432 for D = 8. Bounds that need full row rank are `nil` when C
/// lacks it. Every random choice comes from the stream passed in.
///
/// **Properties**
/// - `deltaLowerBound ≤ δ ≤ deltaUpperBound ≤ meanCos2`; `omega2LowerBound ≤ ω₂ ≤ omega2UpperBound`;
/// - cost: an SVD of C, K²·D for the Gram bound, 2^(K−1)·D for the exact ω₂,
///   `samples·K·D` for the Monte Carlo part.
public struct CodebookQuality: Sendable, Hashable, Codable {
  /// How much work the estimates may do.
  public struct Options: Sendable, Hashable, Codable {
    /// Random directions for mean cos²θ and the Monte Carlo δ bound.
    public var samples: Int
    /// The lowest-scoring directions refined by descent.
    public var descentStarts: Int
    /// Descent steps per start.
    public var descentIterations: Int
    /// Random starts of the alternating ascent for the ω₂ lower bound.
    public var ascentRestarts: Int
    /// Enumerate ω₂ exactly when K ≤ this (at most 30: 2^29 sign vectors, about 2 s for D = 16 in a release build).
    public var exactLimit: Int

    public init(samples: Int = 20_000, descentStarts: Int = 8, descentIterations: Int = 200, ascentRestarts: Int = 32, exactLimit: Int = 30) {
      precondition(samples >= 1 && descentStarts >= 0 && descentIterations >= 0 && ascentRestarts >= 1, "quality options must be positive")
      self.samples = samples
      self.descentStarts = descentStarts
      self.descentIterations = descentIterations
      self.ascentRestarts = ascentRestarts
      self.exactLimit = Swift.min(exactLimit, 30)
    }
  }

  public var name: String
  public var dim: Int
  public var count: Int
  /// σ_D(C); 0 when K < D.
  public var smallestSingularValue: Double
  /// Whether C has rank D (relative tolerance max(D, K)·ε); without it ω₂ is infinite.
  public var hasFullRowRank: Bool
  /// K/σ_min² − 1.
  public var omega2SpectralBound: Double?
  /// Σ_ij |(C⁺C⁺ᵀ)_ij| − 1.
  public var omega2GramBound: Double?
  /// The smaller of the two upper bounds.
  public var omega2UpperBound: Double?
  /// ω₂ by enumeration, when K ≤ the exact limit.
  public var omega2Exact: Double?
  /// The alternating-ascent lower bound.
  public var omega2LowerBound: Double?
  /// σ_min²/K.
  public var deltaSpectralLowerBound: Double
  /// max(σ_min²/K, 1/(1 + ω₂)) with ω₂ exact or its upper bound.
  public var deltaLowerBound: Double
  /// The smallest cos²θ found (Monte Carlo, then descent).
  public var deltaUpperBound: Double
  /// Mean cos²θ over random directions.
  public var meanCos2: Double
  /// Standard error of ``meanCos2`` (sample standard deviation / √samples).
  public var meanCos2StandardError: Double
  /// Random directions drawn.
  public var samples: Int

  /// Measures `codebook` with randomness from `random`.
  ///
  /// - Throws: ``HSQError/interrupted`` when the current ``Cancellation`` is cancelled (every part checks it).
  public init(codebook: Codebook, options: Options = Options(), random: inout RandomStream) throws {
    try self.init(columns: codebook.matrix, name: codebook.name, options: options, random: &random)
  }

  /// Measures the codebook whose codewords are the columns of `columns` (D×K, Double), normalized to unit length.
  ///
  /// Use this for codebooks known in closed form, where Float codewords would
  /// limit the figures to ~1e-7; the Monte Carlo part runs in Float either way.
  ///
  /// The rest stays in this initializer: it assigns the stored constants, each figure from the ones
  /// before it (σ, then the ω₂ bounds, then the δ bounds), and the measurements it calls are their own
  /// functions (``WorstCaseVariance``, ``ContractionFactor``).
  public init(columns: Matrix, name: String, options: Options = Options(), random: inout RandomStream) throws {
    let (d, k) = (columns.rows, columns.columns)
    precondition(d >= 1 && k >= 1, "a codebook needs at least one codeword of dimension at least one")
    precondition(options.samples >= 1 && options.descentStarts >= 0 && options.ascentRestarts >= 1, "quality options must be positive")
    let c = Self.unitColumns(columns)
    self.name = name
    dim = d
    count = k
    samples = options.samples
    let sigma = c.singularValues
    smallestSingularValue = k >= d ? sigma[d - 1] : 0
    hasFullRowRank = k >= d && smallestSingularValue > c.defaultRankTolerance * sigma[0]
    deltaSpectralLowerBound = smallestSingularValue * smallestSingularValue / Double(k)
    if hasFullRowRank {
      let pinv = c.pseudoInverse()  // K×D: rows r_j with (C⁺)ᵀs = Σ s_j r_j
      let spectral = Double(k) / (smallestSingularValue * smallestSingularValue) - 1
      let gram = try WorstCaseVariance.gramBound(pinv)
      omega2SpectralBound = spectral
      omega2GramBound = gram
      omega2UpperBound = Swift.min(spectral, gram)
      omega2Exact = k <= options.exactLimit ? try WorstCaseVariance.exact(pinv) : nil
      omega2LowerBound = try WorstCaseVariance.ascent(pinv, restarts: options.ascentRestarts, random: &random)
      deltaLowerBound = Swift.max(deltaSpectralLowerBound, 1 / (1 + (omega2Exact ?? Swift.min(spectral, gram))))
    } else {
      deltaLowerBound = deltaSpectralLowerBound
    }
    let rows = c.transposed  // K×D
    let plan = NearestCodewordPlan(rows: rows.storage.map(Float.init), count: k, dim: d)
    let mc = try ContractionFactor.sample(plan, samples: options.samples, keep: options.descentStarts, random: &random)
    meanCos2 = mc.mean
    meanCos2StandardError = mc.standardError
    var upper = Double.infinity
    for start in mc.lowest {
      upper = Swift.min(upper, options.descentIterations > 0
        ? try ContractionFactor.refine(rows, from: start, iterations: options.descentIterations)
        : ContractionFactor.value(rows, start))
    }
    // With no starts kept, the Monte Carlo mean is still a valid (loose) upper bound.
    deltaUpperBound = Swift.min(upper, meanCos2)
  }

  /// `columns` with every column scaled to unit length.
  private static func unitColumns(_ columns: Matrix) -> Matrix {
    var c = columns
    for j in 0..<c.columns {
      let norm = (0..<c.rows).reduce(0.0) { $0 + c[$1, j] * c[$1, j] }.squareRoot()
      precondition(norm > 0 && norm.isFinite, "codeword \(j) is zero or not finite")
      for i in 0..<c.rows { c[i, j] /= norm }
    }
    return c
  }

  /// Measures `codebook` with the stream `derived(from: seed, purpose: "codebook-quality", D, K)`.
  public init(codebook: Codebook, seed: UInt64 = 0, options: Options = Options()) throws {
    try self.init(columns: codebook.matrix, name: codebook.name, seed: seed, options: options)
  }

  /// Measures the columns of `columns` with the stream `derived(from: seed, purpose: "codebook-quality", D, K)`.
  public init(columns: Matrix, name: String, seed: UInt64 = 0, options: Options = Options()) throws {
    var random = RandomStream.derived(from: seed, purpose: "codebook-quality", columns.rows, columns.columns)
    try self.init(columns: columns, name: name, options: options, random: &random)
  }

  /// ω₁ = 1/δ − 1 (worst-case variance with minimum-ℓ1 coefficients) as the range the δ bracket gives.
  ///
  /// When the bracket is tight (orthonormal codebooks: δ = 1/D) rounding can put the lower bound a hair
  /// above the upper one; the range then spans both values instead of trapping.
  public var omega1Range: ClosedRange<Double> {
    let a = 1 / deltaUpperBound - 1, b = deltaLowerBound > 0 ? 1 / deltaLowerBound - 1 : .infinity
    return Swift.min(a, b)...Swift.max(a, b)
  }

  /// The figures as (label, value) rows, for a two-column table.
  public var rows: [(String, String)] {
    func f(_ x: Double?) -> String { x.map { formatNumber($0) } ?? "–" }
    let omega: String
    if let exact = omega2Exact {
      omega = "\(f(exact)) (exact)"
    } else if let upper = omega2UpperBound {
      omega = "between \(f(omega2LowerBound)) and \(f(upper))"
    } else {
      omega = "infinite (C lacks full row rank)"
    }
    return [
      ("codebook", name),
      ("D × K", "\(dim) × \(count)"),
      ("σ_min(C)", f(smallestSingularValue)),
      ("ω₂ (pinv, worst case)", omega),
      ("ω₂ bounds K/σ² − 1, Σ|C⁺C⁺ᵀ| − 1", "\(f(omega2SpectralBound)), \(f(omega2GramBound))"),
      ("ω₂ ascent lower bound", f(omega2LowerBound)),
      ("δ(C)", "between \(f(deltaLowerBound)) and \(f(deltaUpperBound))"),
      ("δ lower bound σ²/K", f(deltaSpectralLowerBound)),
      ("ω₁ = 1/δ − 1", "between \(f(omega1Range.lowerBound)) and \(f(omega1Range.upperBound))"),
      ("mean cos²θ", "\(f(meanCos2)) ± \(f(meanCos2StandardError)) (\(samples) directions)"),
    ]
  }

  /// ``rows`` as aligned text, one figure per line.
  public var table: String {
    let width = rows.map(\.0.count).max() ?? 0
    return rows.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + $0.1 }.joined(separator: "\n")
  }
}
