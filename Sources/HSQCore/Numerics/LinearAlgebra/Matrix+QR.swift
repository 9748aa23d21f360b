import COpenBLAS

/// Householder QR factorization (LAPACK `dgeqrf`, `Q` formed by `dorgqr`).
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
/// compact groups"), which ``randomOrthogonal(_:_:)`` relies on.
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
    guard p > 0 else { return (formQ ? Matrix(rows: m, columns: 0) : nil, Matrix(rows: 0, columns: n)) }
    // Row-major Aᵀ is column-major A.
    var a = transposed.storage
    var tau = [Double](repeating: 0, count: p)
    let (m32, n32, p32) = (Int32(m), Int32(n), Int32(p))
    a.withUnsafeMutableBufferPointer { pa in
      tau.withUnsafeMutableBufferPointer { pt in
        LAPACK.withWorkspace("dgeqrf") { hsq_dgeqrf(m32, n32, pa.baseAddress!, m32, pt.baseAddress!, $0, $1) }
      }
    }
    // The sign fix: row k of R and column k of Q change sign where LAPACK left R_kk < 0.
    let signs: [Double] = (0..<p).map { a[$0 + $0 * m] < 0 ? -1 : 1 }
    var r = Matrix(rows: p, columns: n)
    for i in 0..<p { for j in i..<n { r[i, j] = signs[i] * a[i + j * m] } }
    guard formQ else { return (nil, r) }
    a.withUnsafeMutableBufferPointer { pa in
      tau.withUnsafeBufferPointer { pt in
        LAPACK.withWorkspace("dorgqr") { hsq_dorgqr(m32, p32, p32, pa.baseAddress!, m32, pt.baseAddress!, $0, $1) }
      }
    }
    var q = Matrix(rows: m, columns: p)
    for i in 0..<m { for k in 0..<p { q[i, k] = signs[k] * a[i + k * m] } }
    return (q, r)
  }

  /// A Haar-random d×d orthogonal matrix: the `Q` (with `diag(R) > 0`) of a Gaussian matrix.
  ///
  /// ```
  /// G ~ N(0, 1)^{d×d} (drawn row by row from `random`),   G = Q R,   R_kk ≥ 0  →  Q
  /// ```
  ///
  /// Without the sign fix of ``householderQR()``, `Q` would not be Haar
  /// (Mezzadri 2007). Consumes `d²` Gaussians from `random`.
  public static func randomOrthogonal(_ d: Int, _ random: inout RandomStream) -> Matrix {
    let gaussian = Matrix(rows: d, columns: d, storage: (0..<(d * d)).map { _ in random.gaussian() })
    return gaussian.householderQR().q
  }
}
