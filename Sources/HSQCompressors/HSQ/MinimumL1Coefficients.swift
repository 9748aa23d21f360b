import HSQCodebooks
import HSQCore

/// Minimum-ℓ1 coefficients of sub-vectors in a codebook, for `hsq-unbiased:coefficients=l1`.
///
/// ```
/// a* = argmin{‖a‖₁ : Ca = v}                   one LP per sub-vector (HSQCore's MinimumL1Simplex)
/// a  = a* if ‖a*‖₁ ≤ ‖C⁺v‖₁, else C⁺v          so ‖a‖₁ ≤ ‖C⁺v‖₁ for every v
/// ```
///
/// ‖a*‖₁ is the gauge of conv(±c_k) at v, so the worst case over unit v is
/// ω₁(C) = 1/r(C)² − 1 = 1/δ(C) − 1 ≤ ω₂(C), with r(C) = min_{‖x‖=1} maxₖ|⟨c_k, x⟩| the
/// polytope's inradius (THEORY.md §2). The sampler, variance and padding correction are the
/// shared ones of ``SubvectorCoefficients``: they hold for any a with Ca = v, and the LP's a
/// meets Ca = v to Double rounding (from a fresh factorization of its final basis), so
/// E‖Q(v) − v‖² = ‖a‖₁² − ‖v‖² stays exact. The solve is deterministic in v, so encoding and
/// ``SubvectorCoefficients/variance(_:layout:)`` see the same a.
///
/// The pinv fallback is taken only when the LP is not better: at its pivot limit, or where the two
/// coincide up to Float32 rounding of C⁺ (orthonormal codebooks). It keeps the ω₂ bounds valid for
/// the coefficients actually used.
///
/// **Cost** per sub-vector: C⁺v (K·D) plus the LP, about 0.1 ms for D = 16, K = 256 in a release
/// build (see ``MinimumL1Simplex``): ~50× the pinv rule, fine for theory and small layers.
struct MinimumL1Coefficients: SubvectorCoefficients {
  let pinv: PseudoInverseCoefficients
  let solver: MinimumL1Simplex

  var dim: Int { pinv.dim }
  var count: Int { pinv.count }
  var codebook: Codebook { pinv.codebook }

  /// - Throws: as ``PseudoInverseCoefficients``, when K < D or the codebook does not span R^D.
  init(_ codebook: Codebook) throws {
    pinv = try PseudoInverseCoefficients(codebook)
    solver = MinimumL1Simplex(rows: codebook.vectors, dim: codebook.dim, count: codebook.count)
  }

  func coefficients(_ v: UnsafePointer<Float>, into a: UnsafeMutablePointer<Double>) -> Double {
    let fallback = pinv.coefficients(v, into: a)
    let x = UnsafeMutablePointer<Double>.allocate(capacity: dim)
    let best = UnsafeMutablePointer<Double>.allocate(capacity: count)
    defer { x.deallocate(); best.deallocate() }
    for j in 0..<dim { x[j] = Double(v[j]) }
    guard let outcome = solver.solve(x, into: best), outcome.norm1 <= fallback else { return fallback }
    a.update(from: best, count: count)
    return outcome.norm1
  }

  /// A rigorous upper bound on ω₁(C): min(ω₂'s upper bound, 1/δ_lower − 1) with δ_lower = σ_min²/K
  /// (``CodebookBounds/deltaLowerBound(_:)``), since ω₁ = 1/δ − 1 ≤ ω₂ and ‖a‖₁ ≤ ‖C⁺v‖₁ always.
  ///
  /// The rigorous δ lower bounds known here (σ_min²/K, 1/(1 + ω₂)) give back ω₂'s own bounds, so this
  /// is no tighter than the pinv bound; ω₁ itself is usually far smaller (THEORY.md §2), but bounding
  /// it from above needs the inradius of conv(±c_k), which only facet enumeration gives rigorously.
  static func omegaUpperBound(_ codebook: Codebook, pinvBound: Double) -> Double {
    let delta = CodebookBounds.deltaLowerBound(codebook)
    return delta > 0 ? Swift.min(pinvBound, 1 / delta - 1) : pinvBound
  }
}
