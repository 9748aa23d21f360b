/// Householder QR factorization.
///
/// ```
/// A = Q R,   A m×n,  p = min(m, n)
/// Q m×p with QᵀQ = I_p,   R p×n upper triangular (trapezoidal when n > p),   R_kk ≥ 0
/// H_k = I − τ_k v_k v_kᵀ,  v_k = (0,…,0, 1, ×,…,×)   (LAPACK dlarfg convention)
/// ```
///
/// The signs are fixed so that `R` has a non-negative diagonal. For a
/// full-rank square `A` this makes the factorization unique, and for a
/// Gaussian `A` it makes `Q` Haar-distributed on the orthogonal group
/// (Mezzadri 2007, "How to generate random matrices from the classical
/// compact groups"), which the `orthogonal` codebook relies on.
/// Cost: `2mn² − 2n³/3` flops for `R`, as much again for `Q`. Rank-deficient
/// input is fine: a zero column gives a zero diagonal entry of `R`.
extension Matrix {
  /// The thin QR factorization `A = QR` with `Q` m×min(m,n) orthonormal and `R` upper triangular, `diag(R) ≥ 0`.
  public func householderQR() -> (q: Matrix, r: Matrix) {
    let (q, r) = qrFactors(formQ: true)
    return (q!, r)
  }

  /// `R` of the QR factorization alone (`diag(R) ≥ 0`), without the cost of forming `Q`.
  public func householderR() -> Matrix {
    qrFactors(formQ: false).r
  }

  /// Factors a copy of the matrix; forms `Q` only when asked.
  func qrFactors(formQ: Bool) -> (q: Matrix?, r: Matrix) {
    precondition(storage.allSatisfy(\.isFinite), "QR of a matrix with non-finite entries")
    let m = rows, n = columns, p = Swift.min(m, n)
    var a = storage
    var tau = [Double](repeating: 0, count: p)
    var w = [Double](repeating: 0, count: Swift.max(n, 1))
    a.withUnsafeMutableBufferPointer { pa in
      w.withUnsafeMutableBufferPointer { pw in
        for k in 0..<p {
          tau[k] = Matrix.reflect(pa, rows: m, columns: n, at: k)
          if tau[k] != 0, k + 1 < n {
            Matrix.applyReflector(pa, rows: m, stride: n, at: k, tau: tau[k], to: pa, columns: (k + 1)..<n, work: pw)
          }
        }
      }
    }
    var r = Matrix(rows: p, columns: n)
    for i in 0..<p {
      let sign: Double = a[i * n + i] < 0 ? -1 : 1
      for j in i..<n { r[i, j] = sign * a[i * n + j] }
    }
    guard formQ else { return (nil, r) }
    var q = Matrix(rows: m, columns: p)
    for j in 0..<p { q[j, j] = 1 }
    var wq = [Double](repeating: 0, count: Swift.max(p, 1))
    a.withUnsafeMutableBufferPointer { pa in
      q.storage.withUnsafeMutableBufferPointer { pq in
        wq.withUnsafeMutableBufferPointer { pw in
          for k in stride(from: p - 1, through: 0, by: -1) where tau[k] != 0 {
            Matrix.applyReflector(pa, rows: m, stride: n, at: k, tau: tau[k], to: pq, columns: k..<p, work: pw, targetStride: p)
          }
        }
      }
    }
    for k in 0..<p where a[k * n + k] < 0 {
      for i in 0..<m { q[i, k] = -q[i, k] }
    }
    return (q, r)
  }

  /// Builds the reflector of column `k` in place: `a[k,k] ← β`, `a[k+1..<m, k] ← v`; returns τ (0 when no reflection is needed).
  private static func reflect(_ a: UnsafeMutableBufferPointer<Double>, rows m: Int, columns n: Int, at k: Int) -> Double {
    var scale = 0.0
    for i in (k + 1)..<m { scale = Swift.max(scale, Swift.abs(a[i * n + k])) }
    if scale == 0 { return 0 }
    let alpha = a[k * n + k]
    scale = Swift.max(scale, Swift.abs(alpha))
    var ss = (alpha / scale) * (alpha / scale)
    for i in (k + 1)..<m { let y = a[i * n + k] / scale; ss += y * y }
    let norm = scale * ss.squareRoot()
    let beta = alpha >= 0 ? -norm : norm
    let inv = 1 / (alpha - beta)
    for i in (k + 1)..<m { a[i * n + k] *= inv }
    a[k * n + k] = beta
    return (beta - alpha) / beta
  }

  /// Applies `H_k = I − τ v vᵀ` (v stored below the diagonal of column `k` of `a`) to rows `k..<m`, `columns` of `target`.
  private static func applyReflector(
    _ a: UnsafeMutableBufferPointer<Double>, rows m: Int, stride n: Int, at k: Int, tau: Double,
    to target: UnsafeMutableBufferPointer<Double>, columns: Range<Int>, work w: UnsafeMutableBufferPointer<Double>,
    targetStride: Int? = nil
  ) {
    let ts = targetStride ?? n
    let lo = columns.lowerBound, hi = columns.upperBound
    let t = target.baseAddress!, pw = w.baseAddress!
    for j in lo..<hi { pw[j] = 0 }
    for i in k..<m {
      let vi = i == k ? 1 : a[i * n + k]
      if vi == 0 { continue }
      let row = t + i * ts
      for j in lo..<hi { pw[j] += vi * row[j] }
    }
    for i in k..<m {
      let f = tau * (i == k ? 1 : a[i * n + k])
      if f == 0 { continue }
      let row = t + i * ts
      for j in lo..<hi { row[j] -= f * pw[j] }
    }
  }
}
