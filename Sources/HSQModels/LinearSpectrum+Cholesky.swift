import COpenBLAS
import HSQCore

extension LinearSpectrum {
  /// The relative residual of the normal equations a direct solution must reach: ‖Gθ − c‖ ≤ this·‖c‖.
  ///
  /// With G = AᵀA/n formed in Double and one step of iterative refinement the residual is a few
  /// units of rounding times κ(G) (about 10⁻¹⁴ for κ = 100 at dim = 4096); 10⁻¹⁰ leaves room for
  /// κ up to about 10⁴ and still puts θ within 10⁻¹⁰κ‖θ‖ of the exact minimizer.
  static let residualTolerance = 1e-10

  /// The unique least-squares minimizer by Cholesky: θ with (AᵀA/n)θ = Aᵀy/n.
  ///
  /// ```
  /// G = AᵀA/n (Double, dsyrk over row chunks),  c = Aᵀy/n
  /// G = LLᵀ (dpotrf);  θ₀ = L⁻ᵀL⁻¹c (dpotrs)
  /// θ = θ₀ + L⁻ᵀL⁻¹(c − Gθ₀)         (one step of iterative refinement)
  /// accepted when ‖Gθ − c‖ ≤ 10⁻¹⁰‖c‖
  /// ```
  ///
  /// Cost n·dim²/2 multiply-adds for G and dim³/3 for L: about 5 s at dim = 4096, n = 4096 on one core.
  ///
  /// - Returns: x* and f*, or `nil` when G is not positive definite or a pivot L_ii² is at most 10⁻¹¹ max Gᵢᵢ (n < dim, or dependent
  ///   columns: the minimizer is not unique and only the eigen path, dim ≤ ``exactLimit``, gives
  ///   the minimum-norm one).
  /// - Throws: when the two dim×dim matrices do not fit the ``MemoryBudget``; when the refined solution
  ///   misses the residual tolerance (G too ill-conditioned for a solution one can trust).
  func choleskyOptimum() throws -> Optimum? {
    let dim = dimension
    try MemoryBudget.current.check(
      MemoryEstimate(bytes: 16 * dim * dim),  // dim ≤ directLimit: no overflow
      for: "The exact optimum of \(matrixName)", detail: "two \(dim)×\(dim) Double matrices: \(matrixName) and its Cholesky factor",
      fix: "Lower the dataset's dimension 'd'")
    let g = gram().storage
    var factor = g
    let c = normalRightHandSide()
    let info = factor.withUnsafeMutableBufferPointer { hsq_dpotrf(CChar(UInt8(ascii: "L")), Int32(dim), $0.baseAddress, Int32(dim)) }
    // A pivot L_ii² at or below 10⁻¹¹ of the largest diagonal entry means G is singular to working precision (the
    // eigen path's cut-off): the normal equations then have many solutions and this one would not be the minimum-norm one.
    let largest = (0..<dim).map { g[$0 * dim + $0] }.max() ?? 0
    guard info == 0, (0..<dim).allSatisfy({ factor[$0 * dim + $0] * factor[$0 * dim + $0] > 1e-11 * largest }) else { return nil }
    func solve(_ rhs: [Double]) -> [Double] {
      var x = rhs
      factor.withUnsafeBufferPointer { l in
        x.withUnsafeMutableBufferPointer { _ = hsq_dpotrs(CChar(UInt8(ascii: "L")), Int32(dim), 1, l.baseAddress, Int32(dim), $0.baseAddress, Int32(dim)) }
      }
      return x
    }
    var theta = solve(c)
    let correction = solve(Self.residual(g, theta, c))
    for i in 0..<dim { theta[i] += correction[i] }
    let residual = Self.residual(g, theta, c)
    let relative = Self.norm(residual) / max(Self.norm(c), .leastNormalMagnitude)
    guard relative <= Self.residualTolerance else {
      throw HSQError.invalidState(
        "The Cholesky solution of the \(dim)×\(dim) normal equations has relative residual \(formatNumber(relative)), above \(formatNumber(Self.residualTolerance)): \(matrixName) is too ill-conditioned for x*; lower the condition number of the data.")
    }
    return optimum(theta)
  }

  static func norm(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }

  /// c − Gθ for the symmetric dim×dim `g` (dsymv).
  static func residual(_ g: [Double], _ theta: [Double], _ c: [Double]) -> [Double] {
    var r = c
    let dim = Int32(c.count)
    cblas_dsymv(CblasRowMajor, CblasUpper, dim, -1, g, dim, theta, 1, 1, &r, 1)
    return r
  }
}
