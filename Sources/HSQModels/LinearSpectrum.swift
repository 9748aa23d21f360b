import COpenBLAS
import HSQCore

/// The spectrum of `AᵀA/n`, `A = [X 1]` (or `X` without a bias): where the linear models' L, μ and x* come from.
///
/// ```
/// dim = d + 1 ≤ 512:  G = AᵀA/n in Double (dsyrk over row chunks), dense symmetric eigenvalues: exact
/// dim > 512:          Lanczos (full reorthogonalization, 100 steps) on v ↦ Aᵀ(Av)/n with sgemv:
///                     λ_max converges fast from below; the smallest Ritz value only bounds λ_min from above
/// least squares:      x* = Σ_{λᵢ > 10⁻¹¹λ_max} (vᵢᵀc/λᵢ) vᵢ,  c = Aᵀy/n   (the minimum-norm minimizer)
/// 512 < dim ≤ 8192:   x* from the Cholesky factor of G (LAPACK dpotrf/dpotrs), one step of iterative
///                     refinement, accepted when ‖Gx* − c‖ ≤ 10⁻¹⁰‖c‖ (see ``choleskyOptimum()``)
/// ```
///
/// 512 keeps the exact path under a few seconds on Fashion-MNIST-sized n
/// (n·dim² multiply-adds for G, ~4dim³/3 for the eigenvalues).
struct LinearSpectrum {
  static let exactLimit = 512
  /// The largest dimension the Cholesky solve takes (two dim×dim Double matrices: 1 GiB at 8192).
  static let directLimit = 8192
  static let lanczosSteps = 100

  let examples: Examples
  let bias: Bool

  init(_ examples: Examples, bias: Bool) throws {
    guard examples.count > 0 else {
      throw HSQError.invalidArgument("Smoothness constants need at least one example; give a non-empty training set.")
    }
    try Vec.requireFinite(examples.features, what: "The features")
    self.examples = examples
    self.bias = bias
  }

  var dimension: Int { examples.featureCount + (bias ? 1 : 0) }
  var matrixName: String { bias ? "AᵀA/n (A = [X 1])" : "XᵀX/n" }

  /// `AᵀA/n` in Double.
  func gram() -> Matrix {
    let d = examples.featureCount, dim = dimension, n = examples.count
    var g = [Double](repeating: 0, count: dim * dim)
    let chunk = max(1, min(n, (1 << 20) / dim))
    var a = [Double](repeating: 0, count: chunk * dim)
    examples.features.withUnsafeBufferPointer { x in
      a.withUnsafeMutableBufferPointer { a in
        g.withUnsafeMutableBufferPointer { g in
          for start in stride(from: 0, to: n, by: chunk) {
            let rows = min(chunk, n - start)
            for r in 0..<rows {
              for j in 0..<d { a[r * dim + j] = Double(x[(start + r) * d + j]) }
              if bias { a[r * dim + d] = 1 }
            }
            cblas_dsyrk(
              CblasRowMajor, CblasUpper, CblasTrans, Int32(dim), Int32(rows), 1 / Double(n),
              a.baseAddress, Int32(dim), 1, g.baseAddress, Int32(dim))
          }
        }
      }
    }
    for i in 0..<dim { for j in 0..<i { g[i * dim + j] = g[j * dim + i] } }
    return Matrix(rows: dim, columns: dim, storage: g)
  }

  /// `Aᵀ(Av)/n` without forming `AᵀA` (Float products, Double result).
  func apply(_ v: [Double]) -> [Double] {
    let d = examples.featureCount, n = examples.count
    let w = v[0..<d].map { Float($0) }
    let b: Float = bias ? Float(v[d]) : 0
    var u = [Float](repeating: b, count: n)
    var y = [Float](repeating: 0, count: d)
    examples.features.withUnsafeBufferPointer { x in
      cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(d), 1, x.baseAddress, Int32(d), w, 1, 1, &u, 1)
      cblas_sgemv(CblasRowMajor, CblasTrans, Int32(n), Int32(d), 1 / Float(n), x.baseAddress, Int32(d), u, 1, 0, &y, 1)
    }
    var result = y.map(Double.init)
    if bias { result.append(u.reduce(0.0) { $0 + Double($1) } / Double(n)) }
    return result
  }

  /// Ritz values of `AᵀA/n` after `steps` Lanczos steps from a fixed random start.
  func lanczos(steps: Int) -> [Double] {
    let dim = dimension
    var rng = RandomStream(seed: 0x4C41_4E43_5A4F_5300)
    var q = (0..<dim).map { _ in rng.gaussian() }
    let norm0 = q.reduce(0) { $0 + $1 * $1 }.squareRoot()
    q = q.map { $0 / norm0 }
    var basis: [[Double]] = [q]
    var alphas: [Double] = [], betas: [Double] = []
    for _ in 0..<min(steps, dim) {
      let current = basis[basis.count - 1]
      var w = apply(current)
      alphas.append(zip(current, w).reduce(0) { $0 + $1.0 * $1.1 })
      for _ in 0..<2 {  // full reorthogonalization, twice is enough
        for b in basis {
          let c = zip(b, w).reduce(0) { $0 + $1.0 * $1.1 }
          for i in 0..<dim { w[i] -= c * b[i] }
        }
      }
      let beta = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
      if beta <= 1e-12 * max(abs(alphas.last!), 1e-300) || basis.count == dim { break }
      betas.append(beta)
      basis.append(w.map { $0 / beta })
    }
    return Matrix.tridiagonalEigenvalues(diagonal: alphas, offDiagonal: Array(betas.prefix(alphas.count - 1)))
  }

  /// L = curvature·λ_max and μ = curvature·λ_min (when `stronglyConvex`, else 0).
  func smoothness(curvature: Double, stronglyConvex: Bool) throws -> Smoothness {
    let dim = dimension, n = examples.count
    let (lower, upper, exact, method): (Double, Double, Bool, String)
    if dim <= Self.exactLimit {
      let values = gram().symmetricEigenvalues()
      (lower, upper, exact) = (values.first!, values.last!, true)
      method = "exact eigenvalues of the \(dim)×\(dim) matrix \(matrixName)"
    } else {
      let ritz = lanczos(steps: Self.lanczosSteps)
      (lower, upper, exact) = (ritz.first!, ritz.last!, false)
      method = "Lanczos, \(ritz.count) steps on \(matrixName): L from below, μ from above"
    }
    var mu = 0.0
    if stronglyConvex, n >= dim, lower > 1e-11 * upper { mu = curvature * lower }
    let scale = curvature == 1 ? "" : "\(formatNumber(curvature))·"
    return Smoothness(L: curvature * max(upper, 0), mu: mu, isExact: exact, method: "L = \(scale)λ_max; " + method)
  }

  /// The least-squares minimizer and f*: for dim ≤ ``exactLimit`` the minimum-norm one from the eigenvectors;
  /// up to ``directLimit`` by Cholesky (``choleskyOptimum()``, `nil` when `AᵀA/n` is singular); `nil` beyond.
  func leastSquaresOptimum() throws -> Optimum? {
    if dimension > Self.exactLimit {
      return dimension <= Self.directLimit ? try choleskyOptimum() : nil
    }
    let dim = dimension
    let c = normalRightHandSide()
    let eigen = gram().symmetricEigen()
    let vectors = eigen.vectors
    let cutoff = 1e-11 * max(eigen.values.last!, 0)
    var theta = [Double](repeating: 0, count: dim)
    for (k, lambda) in eigen.values.enumerated() where lambda > cutoff {
      var projection = 0.0
      for i in 0..<dim { projection += vectors[i, k] * c[i] }
      let coefficient = projection / lambda
      for i in 0..<dim { theta[i] += coefficient * vectors[i, k] }
    }
    return optimum(theta)
  }

  /// c = Aᵀy/n, the right-hand side of the normal equations (AᵀA/n)θ = c.
  func normalRightHandSide() -> [Double] {
    let d = examples.featureCount, n = examples.count
    var c = [Double](repeating: 0, count: dimension)
    examples.features.withUnsafeBufferPointer { x in
      for i in 0..<n {
        let y = Double(examples.targets[i])
        for j in 0..<d { c[j] += Double(x[i * d + j]) * y }
        if bias { c[d] += y }
      }
    }
    for j in 0..<dimension { c[j] /= Double(n) }
    return c
  }

  /// θ as model parameters, with f(θ) = (1/2n)Σ(aᵢᵀθ − yᵢ)² computed in Double.
  func optimum(_ theta: [Double]) -> Optimum {
    let d = examples.featureCount, n = examples.count
    var lossSum = 0.0
    examples.features.withUnsafeBufferPointer { x in
      for i in 0..<n {
        var r = bias ? theta[d] : 0
        for j in 0..<d { r += Double(x[i * d + j]) * theta[j] }
        r -= Double(examples.targets[i])
        lossSum += 0.5 * r * r
      }
    }
    let weights = theta[0..<d].map { Float($0) }
    return Optimum(parameters: bias ? [weights, [Float(theta[d])]] : [weights], loss: lossSum / Double(n))
  }
}
