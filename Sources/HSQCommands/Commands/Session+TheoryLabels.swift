import HSQ

/// How the displays label ρ and its bounds, so that one draw is compared with a bound only where the bound
/// holds for every draw (THEORY.md: the declared ω and δ bound E‖Q(p) − p‖², the mean over the randomness).
extension Session {
  /// Whether every step of `e` so far used a compressor whose bound holds for each draw (``Compressor/boundsEveryDraw``).
  ///
  /// The compressors of earlier spans are rebuilt from their specs; one that no longer builds counts as randomized,
  /// so its displays compare means, never one draw.
  func boundsEveryDraw(_ e: Experiment) -> Bool {
    guard e.uplink.boundsEveryDraw else { return false }
    let earlier = e.compressorHistory.dropLast().filter { $0.fromStep < e.stepCount }
    return earlier.allSatisfy { span in (try? Compressors.make(span.spec))?.boundsEveryDraw ?? false }
  }

  /// The step line's ρ part for the largest compressed layer.
  ///
  /// A deterministic compressor: `ρ[fc1.weight] 0.254 ≤ 0.927 (bound for these inputs)`. A randomized one:
  /// `ρ[fc1.weight] 10.274 one draw, E ρ = 10.268 (exact)`, or `E ρ ≤ 0.946 (bound for these inputs)` without an exact value.
  static func rhoText(_ layer: LayerRecord, boundsEveryDraw: Bool) -> String {
    let rho = "ρ[\(layer.name)] \(fixed(layer.observedRho, 3))"
    if boundsEveryDraw { return rho + (layer.boundRho.map { " ≤ \(fixed($0, 3)) (bound for these inputs)" } ?? "") }
    if let exact = layer.exactRho { return rho + " one draw, E ρ = \(fixed(exact, 3)) (exact)" }
    return rho + " one draw" + (layer.boundRho.map { ", E ρ ≤ \(fixed($0, 3)) (bound for these inputs)" } ?? "")
  }

  /// The `theory` verdict for a layer without a Monte Carlo check.
  ///
  /// One draw is held to the bound only when the bound holds for every draw; otherwise the exact E ρ is, and
  /// without one there is nothing to compare until `--samples` estimates E ρ.
  static func theoryVerdict(_ l: LayerRecord, boundsEveryDraw: Bool) -> String {
    guard l.compressed else { return "exact (float32)" }
    guard let bound = l.boundRho else { return l.exactRho == nil ? "no theory" : "exact E ρ, no bound" }
    if boundsEveryDraw { return l.observedRho <= bound * (1 + 1e-6) ? "below bound" : "ABOVE BOUND" }
    guard let exact = l.exactRho else { return "one draw; --samples R for E ρ" }
    return exact <= bound * (1 + 1e-6) ? "E ρ (exact) ≤ bound" : "E ρ (exact) ABOVE BOUND"
  }

  /// The column titles ρ and its bounds share in `theory` and `show layers`.
  static func rhoColumns(boundsEveryDraw: Bool) -> (observed: String, exact: String, bound: String, worst: String) {
    (boundsEveryDraw ? "ρ observed" : "ρ one draw", "E ρ exact", "bound, these inputs", "worst case, all inputs")
  }

  /// The lines under the `theory` table: which bound is which, and what a verdict compares.
  static func theoryNotes(compressor: String, boundsEveryDraw: Bool, worstCaseMissing: Bool) -> String {
    var text = "bound, these inputs: on E ρ for this step's inputs p (ω or 1 − δ with their own scalar-rounding term); "
      + "worst case, all inputs: the ω or 1 − δ declared for every input of length d."
    if worstCaseMissing {
      text += "\nworst case \"none\": no ω or δ holds for every input (δ_lower − M/4ⁿ ≤ 0 with n-bit scalars); the bound for these inputs still does."
    }
    text += boundsEveryDraw
      ? "\n'\(compressor)' is deterministic: ρ = E ρ, so the bound holds for every draw and the verdict compares ρ with it."
      : "\n'\(compressor)' is randomized: ρ is one draw, which a bound on E ρ does not bound; the verdict compares E ρ " +
        "(exact, or the Monte Carlo mean with --samples R) with the bound."
    return text
  }
}
