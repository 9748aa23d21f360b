/// The Moore–Penrose pseudo-inverse and numerical rank, from the singular value decomposition.
///
/// ```
/// A⁺ = V Σ⁺ Uᵀ,   Σ⁺_kk = 1/σ_k if σ_k > rtol·σ₁, else 0
/// Penrose conditions:  A A⁺ A = A,  A⁺ A A⁺ = A⁺,  (A A⁺)ᵀ = A A⁺,  (A⁺ A)ᵀ = A⁺ A
/// ```
///
/// The default relative tolerance `rtol = max(m, n)·ε` is NumPy's
/// (`numpy.linalg.pinv`, `matrix_rank`) and MATLAB's: singular values below
/// it are indistinguishable from rounding error in `A` and are treated as
/// zero. For a D×K codebook with full row rank, `C⁺ = Cᵀ(CCᵀ)⁻¹` and
/// `C C⁺ = I_D` (THEORY.md §2).
extension Matrix {
  /// The default relative tolerance below which singular values count as zero: `max(m, n)·ε`.
  public var defaultRankTolerance: Double {
    Double(Swift.max(rows, columns)) * Double.ulpOfOne
  }

  /// The Moore–Penrose pseudo-inverse `A⁺` (n×m).
  ///
  /// - Parameter relativeTolerance: singular values `σ_k ≤ relativeTolerance·σ₁` are treated as
  ///   zero; `nil` uses ``defaultRankTolerance``. Must be non-negative.
  public func pseudoInverse(relativeTolerance: Double? = nil) -> Matrix {
    let tolerance = relativeTolerance ?? defaultRankTolerance
    precondition(tolerance >= 0, "the relative tolerance of a pseudo-inverse must not be negative")
    let svd = singularValueDecomposition()
    let p = svd.singularValues.count
    let cutoff = tolerance * (svd.singularValues.first ?? 0)
    // (V Σ⁺) Uᵀ, keeping only the columns above the cutoff.
    var scaledV = svd.v
    for k in 0..<p {
      let s = svd.singularValues[k]
      let factor = s > cutoff && s > 0 ? 1 / s : 0
      for i in 0..<columns { scaledV[i, k] *= factor }
    }
    return scaledV.multiplyTransposed(svd.u)
  }

  /// The number of singular values above `relativeTolerance·σ₁` (``defaultRankTolerance`` when `nil`).
  public func numericalRank(relativeTolerance: Double? = nil) -> Int {
    let tolerance = relativeTolerance ?? defaultRankTolerance
    let sigma = singularValues
    let cutoff = tolerance * (sigma.first ?? 0)
    return sigma.filter { $0 > cutoff && $0 > 0 }.count
  }
}
