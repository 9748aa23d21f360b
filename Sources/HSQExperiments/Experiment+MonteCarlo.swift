import HSQCompressors
import HSQCore

/// A Monte Carlo check of one layer: R fresh compressions of the last step's inputs against the theory.
public struct MonteCarloCheck: Sendable, Hashable, Codable {
  public var layer: String
  public var samples: Int
  /// Mean of Σᵢ‖Q(pᵢ) − pᵢ‖²/Σᵢ‖pᵢ‖² over the R draws.
  public var mean: Double
  public var standardError: Double
  /// The half-width of the confidence interval, z·SE.
  public var halfWidth: Double
  /// The exact E‖Q(p) − p‖² ratio, where the theory gives one.
  public var exact: Double?
  /// The per-vector bound ratio.
  public var bound: Double?
  /// The declared worst case (ω or 1 − δ).
  public var worstCase: Double?
  /// About the mean, never one draw: `within CI` or `outside CI` (the exact E ρ against the interval), else
  /// `E ρ (MC) ≤ bound` or `E ρ (MC) ABOVE BOUND` (the interval wholly above the bound), or `no theory`.
  public var verdict: String
}

extension Experiment {
  /// Compresses the last step's compressor inputs `samples` more times with fresh streams and compares
  /// the mean error with the exact value and the bound.
  ///
  /// - Parameters:
  ///   - samples: R, the number of fresh compressions (≥ 2).
  ///   - z: the confidence multiplier (3 gives about 99.7% for a normal mean, the display's
  ///     default; tests pass 5, a false `outside CI` once in 1.7 million per layer).
  ///   - layer: one layer's name, or `nil` for every compressed layer.
  /// - Throws: before the first step (there are no gradients yet), or for an unknown layer.
  public func monteCarloCheck(samples: Int, z: Double = 3, layer: String? = nil) throws -> [MonteCarloCheck] {
    let inputs = try lastInputs
    guard !inputs.isEmpty else {
      throw HSQError.missing(thing: "gradients to check yet", plural: true, fix: "run 'step' first")
    }
    guard samples >= 2 else { throw HSQError.invalidArgument("A Monte Carlo check needs at least 2 samples; give e.g. 100.") }
    if let layer { _ = try self.layer(named: layer) }
    var checks: [MonteCarloCheck] = []
    for (l, info) in pipeline.model.layers.enumerated() where pipeline.compressLayer[l] && (layer == nil || layer == info.name) {
      if let check = try monteCarloCheck(layer: l, inputs: inputs, samples: samples, z: z) { checks.append(check) }
    }
    return checks
  }

  /// The check of layer `l` over the workers' `inputs`; `nil` when they are all zero in it.
  private func monteCarloCheck(layer l: Int, inputs: [[[Float]]], samples: Int, z: Double) throws -> MonteCarloCheck? {
    let info = pipeline.model.layers[l]
    let compressor = pipeline.uplink
    let seed = config.seed, t = stepCount
    let normSq = inputs.reduce(0.0) { $0 + Vec.squaredNorm($1[l]) }
    guard normSq > 0 else { return nil }
    let draws = try parallelMap(samples, threads: threadCount, cancellation: Cancellation.current) { r -> Double in
      var total = 0.0
      for (w, p) in inputs.enumerated() {
        var rng = RandomStream.derived(from: seed, purpose: "monte-carlo", t, r, w, l)
        total += Vec.squaredDistance(try compressor.roundTrip(p[l], rng: &rng).output, p[l])
      }
      return total / normSq
    }
    let mean = draws.reduce(0, +) / Double(samples)
    let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(samples - 1)
    let se = (variance / Double(samples)).squareRoot()
    var exact: Double? = 0, bound: Double? = 0
    for p in inputs {
      exact = exact.flatMap { e in compressor.expectedError(p[l]).map { e + $0 } }
      bound = bound.flatMap { b in compressor.errorBound(p[l]).map { b + $0 } }
    }
    exact = exact.map { $0 / normSq }
    bound = bound.map { $0 / normSq }
    let half = z * se
    return MonteCarloCheck(
      layer: info.name, samples: samples, mean: mean, standardError: se, halfWidth: half, exact: exact, bound: bound,
      worstCase: compressor.guarantee(length: info.count).relativeErrorBound,
      verdict: Self.monteCarloVerdict(mean: mean, halfWidth: half, exact: exact, bound: bound))
  }

  /// `E ρ (MC) ABOVE BOUND` when the interval lies above the bound, else the mean against the exact value
  /// (`within CI`, `outside CI`), else `E ρ (MC) ≤ bound` or `no theory`: the Monte Carlo mean estimates E ρ.
  static func monteCarloVerdict(mean: Double, halfWidth half: Double, exact: Double?, bound: Double?) -> String {
    if let bound, mean - half > bound * (1 + 1e-9) { return "E ρ (MC) ABOVE BOUND" }
    if let exact { return abs(mean - exact) <= half + roundingSlack(mean) ? "within CI" : "outside CI" }
    return bound == nil ? "no theory" : "E ρ (MC) ≤ bound"
  }

  /// How far Float32 reconstructions move an observed error ratio ρ from the exact one.
  ///
  /// Each output entry is a few roundings (2⁻²⁴ relative each; 4 allowed) from the exact Q: with
  /// δ = fl(Q) − Q, ‖fl(Q) − p‖² − ‖Q − p‖² ≤ 2‖Q − p‖‖δ‖ + ‖δ‖², and ‖Q‖² ≈ (1 + ρ)‖p‖², so
  /// the ratio moves by at most 2⁻²¹·√(ρ(1 + ρ)) + 2⁻⁴²·(1 + ρ).
  static func roundingSlack(_ rho: Double) -> Double {
    0x1p-21 * (rho * (1 + rho)).squareRoot() + 0x1p-42 * (1 + rho)
  }
}
