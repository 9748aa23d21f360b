import HSQCodebooks
import HSQCore

/// The rigorous codebook constants the HSQ compressors declare as their guarantees.
enum CodebookBounds {
  /// δ(C) ≥ σ_min(C)²/K, since maxₖ⟨cₖ,x⟩² ≥ (1/K)xᵀCCᵀx (THEORY.md §3); 0 when C does not span R^D.
  static func deltaLowerBound(_ codebook: Codebook) -> Double {
    let sigma = codebook.matrix.smallestSingularValue
    return codebook.count >= codebook.dim ? min(1, sigma * sigma / Double(codebook.count)) : 0
  }

  /// C⁺ (K×D) for a codebook that spans R^D.
  static func pseudoInverse(_ codebook: Codebook) throws -> Matrix {
    let c = codebook.matrix
    guard c.numericalRank() == codebook.dim else {
      throw HSQError.incompatible(
        subject: "Unbiased HSQ", needs: "a codebook that spans R^\(codebook.dim) (full row rank)",
        found: "codebook '\(codebook.name)' has rank \(c.numericalRank())", fix: "use more or different codewords")
    }
    return c.pseudoInverse()
  }

  /// ω₂(C) itself when K ≤ ``Codebook/exactOmega2Limit`` (sign enumeration, as the `codebook` report gives it;
  /// the icosahedron's is φ ≈ 1.618 where the bounds give 2), else ``omegaUpperBound(_:)``: a true worst case either way.
  static func omega2(_ codebook: Codebook) throws -> Double {
    try codebook.exactOmega2() ?? omegaUpperBound(codebook)
  }

  /// ω₂(C) ≤ min(K/σ_min² − 1, Σᵢⱼ|(C⁺C⁺ᵀ)ᵢⱼ| − 1) (THEORY.md §2).
  static func omegaUpperBound(_ codebook: Codebook) -> Double {
    let c = codebook.matrix
    let sigma = c.smallestSingularValue
    guard sigma > 0 else { return .infinity }
    let p = c.pseudoInverse()
    let gram = p.multiplyTransposed(p)
    var sum = 0.0
    for x in gram.storage { sum += abs(x) }
    return min(Double(codebook.count) / (sigma * sigma), sum) - 1
  }
}
