import COpenBLAS

/// Symmetric eigen-decomposition: Householder tridiagonalisation, then root-free QL/QR for the values and divide and conquer for the vectors.
///
/// ```
/// A = V Λ Vᵀ,   VᵀV = I,   Λ = diag(λ₁ ≤ λ₂ ≤ … ≤ λ_n)
/// A = Q T Qᵀ  (dsytrd),   λ = eig(T)  (dsterf),   T = Z Λ Zᵀ  (dstedc),   V = Q Z  (dormtr)
/// ```
///
/// LAPACK's routines, as `dsyevd` combines them: about `4n³/3` flops for the
/// values alone (``Matrix/symmetricEigenvalues()``), `9n³` or less with the
/// vectors, backward stable (each `λ_i` is within `O(ε‖A‖)` of the exact
/// one). The values always come from `dsterf` on the same tridiagonal
/// matrix, so ``Matrix/symmetricEigenvalues()`` and
/// `symmetricEigen().values` agree bit for bit; `dstedc`'s own values, which
/// differ from them by `O(ε‖A‖)`, are discarded. Eigenvalues come out in
/// ascending order; eigenvector `i` is column `i` of
/// ``SymmetricEigendecomposition/vectors``.
public struct SymmetricEigendecomposition: Sendable, Hashable {
  /// The eigenvalues, ascending.
  public let values: [Double]
  /// The orthonormal eigenvectors as columns, in the order of ``values``.
  public let vectors: Matrix
}

extension Matrix {
  /// The eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix.
  ///
  /// The matrix must be square and symmetric (up to rounding: the symmetric
  /// part `(A + Aᵀ)/2` is decomposed) with finite entries.
  public func symmetricEigen() -> SymmetricEigendecomposition {
    var a = symmetricPart()
    let n = rows
    guard n > 0 else { return SymmetricEigendecomposition(values: [], vectors: Matrix(rows: 0, columns: 0)) }
    var (d, e, tau) = Matrix.tridiagonalize(&a, n)
    let values = LAPACK.tridiagonalEigenvalues(d, e)
    // Z: the eigenvectors of T (dstedc), then Q Z (dormtr). Column-major Z is row-major Zᵀ.
    var z = [Double](repeating: 0, count: n * n)
    let n32 = Int32(n)
    var iworkCount: Int32 = 0
    var optimal = 0.0
    LAPACK.check(hsq_dstedc(CChar(UInt8(ascii: "I")), n32, &d, &e, &z, n32, &optimal, -1, &iworkCount, -1), "dstedc")
    var iwork = [Int32](repeating: 0, count: Swift.max(1, Int(iworkCount)))
    var work = [Double](repeating: 0, count: Swift.max(1, Int(optimal)))
    LAPACK.check(
      hsq_dstedc(CChar(UInt8(ascii: "I")), n32, &d, &e, &z, n32, &work, Int32(work.count), &iwork, Int32(iwork.count)),
      "dstedc")
    a.withUnsafeBufferPointer { pa in
      tau.withUnsafeBufferPointer { pt in
        z.withUnsafeMutableBufferPointer { pz in
          LAPACK.withWorkspace("dormtr") {
            hsq_dormtr(
              CChar(UInt8(ascii: "L")), CChar(UInt8(ascii: "L")), CChar(UInt8(ascii: "N")), n32, n32,
              pa.baseAddress!, n32, pt.baseAddress, pz.baseAddress!, n32, $0, $1)
          }
        }
      }
    }
    return SymmetricEigendecomposition(values: values, vectors: Matrix(rows: n, columns: n, storage: z).transposed)
  }

  /// The eigenvalues of a symmetric matrix, ascending, without the eigenvectors.
  ///
  /// ```
  /// A = V Λ Vᵀ  →  [λ₁ ≤ λ₂ ≤ … ≤ λ_n]
  /// ```
  ///
  /// The same reduction and `dsterf` as ``symmetricEigen()`` without the
  /// eigenvectors: about `4n³/3` flops (the Householder reduction). The
  /// result equals `symmetricEigen().values` bit for bit. Same
  /// preconditions: square, symmetric up to rounding, finite.
  public func symmetricEigenvalues() -> [Double] {
    var a = symmetricPart()
    guard rows > 0 else { return [] }
    let (d, e, _) = Matrix.tridiagonalize(&a, rows)
    return LAPACK.tridiagonalEigenvalues(d, e)
  }

  /// The eigenvalues, ascending, of the symmetric tridiagonal matrix with the given diagonal and off-diagonal.
  ///
  /// ```
  /// T_ii = a_i = diagonal[i],  T_{i,i+1} = T_{i+1,i} = b_i = offDiagonal[i],  T = Q Λ Qᵀ  →  [λ₁ ≤ … ≤ λ_n]
  /// ```
  ///
  /// Root-free QL/QR with implicit shifts (LAPACK `dsterf`, Pal–Walker–Kahan):
  /// `O(n²)` flops, backward stable. `offDiagonal` has `n − 1` entries (none
  /// when `n = 0`); the Lanczos method's Ritz values are the typical use.
  public static func tridiagonalEigenvalues(diagonal: [Double], offDiagonal: [Double]) -> [Double] {
    let n = diagonal.count
    precondition(
      offDiagonal.count == Swift.max(n - 1, 0),
      "a tridiagonal matrix with \(n) diagonal entries needs \(Swift.max(n - 1, 0)) off-diagonal ones, not \(offDiagonal.count)")
    precondition((diagonal + offDiagonal).allSatisfy(\.isFinite), "eigenvalues of a tridiagonal matrix with non-finite entries")
    return LAPACK.tridiagonalEigenvalues(diagonal, offDiagonal)
  }

  /// `(A + Aᵀ)/2` (row-major, equally column-major), after checking that `A` is square, finite and symmetric up to rounding.
  private func symmetricPart() -> [Double] {
    precondition(rows == columns, "eigen-decomposition of a non-square \(rows)×\(columns) matrix")
    precondition(storage.allSatisfy(\.isFinite), "eigen-decomposition of a matrix with non-finite entries")
    let n = rows
    var w = storage
    let tolerance = 1e-8 * Swift.max(maxAbsEntry, Double.leastNormalMagnitude)
    for i in 0..<n {
      for j in 0..<i {
        let a = self[i, j], b = self[j, i]
        precondition(Swift.abs(a - b) <= tolerance, "eigen-decomposition of a non-symmetric matrix (entry (\(i), \(j)))")
        w[i * n + j] = (a + b) / 2
        w[j * n + i] = (a + b) / 2
      }
    }
    return w
  }

  /// `A = Q T Qᵀ` by LAPACK `dsytrd` on the lower triangle of the symmetric `a` (n×n), which then holds `Q`'s reflectors.
  ///
  /// - Returns: `T`'s diagonal (n), sub-diagonal (n − 1) and the reflectors' scalars τ (n − 1).
  private static func tridiagonalize(_ a: inout [Double], _ n: Int) -> (d: [Double], e: [Double], tau: [Double]) {
    var d = [Double](repeating: 0, count: n)
    var e = [Double](repeating: 0, count: Swift.max(n - 1, 1))
    var tau = [Double](repeating: 0, count: Swift.max(n - 1, 1))
    let n32 = Int32(n)
    a.withUnsafeMutableBufferPointer { pa in
      d.withUnsafeMutableBufferPointer { pd in
        e.withUnsafeMutableBufferPointer { pe in
          tau.withUnsafeMutableBufferPointer { pt in
            LAPACK.withWorkspace("dsytrd") {
              hsq_dsytrd(
                CChar(UInt8(ascii: "L")), n32, pa.baseAddress!, n32, pd.baseAddress!, pe.baseAddress!, pt.baseAddress!,
                $0, $1)
            }
          }
        }
      }
    }
    return (d, Array(e.prefix(n - 1)), tau)
  }
}
