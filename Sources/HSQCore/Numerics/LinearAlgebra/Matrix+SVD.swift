import COpenBLAS

/// Singular value decomposition by LAPACK's divide and conquer (`dgesdd`).
///
/// ```
/// A = U Σ Vᵀ,   A m×n,  p = min(m, n)
/// U m×p, V n×p with orthonormal columns,   Σ = diag(σ₁ ≥ σ₂ ≥ … ≥ σ_p ≥ 0)
/// ```
///
/// Bidiagonalisation by Householder reflections, then divide and conquer on
/// the bidiagonal (`dbdsdc`); the values alone (``Matrix/singularValues``)
/// skip the vectors (`jobz = N`). Each σ_k is within `O(ε σ₁)` of the exact
/// one (backward stable). Row-major `A` is column-major `Aᵀ = V Σ Uᵀ`, so
/// LAPACK factors `Aᵀ` in place without a copy-transpose: its `Vᵀ` buffer is
/// row-major `U`, its `U` buffer row-major `Vᵀ`. A zero singular value gets
/// singular vectors that complete the orthonormal set, so `UᵀU = VᵀV = I`
/// always holds.
public struct SingularValueDecomposition: Sendable, Hashable {
  /// Left singular vectors as columns, m×p.
  public let u: Matrix
  /// Singular values, descending, p of them.
  public let singularValues: [Double]
  /// Right singular vectors as columns, n×p.
  public let v: Matrix
}

extension Matrix {
  /// The thin singular value decomposition `A = U Σ Vᵀ`, singular values descending.
  public func singularValueDecomposition() -> SingularValueDecomposition {
    let p = Swift.min(rows, columns)
    var u = [Double](repeating: 0, count: rows * p)
    var vt = [Double](repeating: 0, count: p * columns)
    let sigma = gesdd(vectors: true, u: &u, vt: &vt)
    return SingularValueDecomposition(
      u: Matrix(rows: rows, columns: p, storage: u), singularValues: sigma,
      v: Matrix(rows: p, columns: columns, storage: vt).transposed)
  }

  /// The min(m, n) singular values, descending, without the cost of the singular vectors.
  public var singularValues: [Double] {
    var noU: [Double] = [], noV: [Double] = []
    return gesdd(vectors: false, u: &noU, vt: &noV)
  }

  /// σ_min, the smallest of the min(m, n) singular values (0 for an empty matrix).
  ///
  /// For a D×K codebook with K ≥ D this is σ_D, which is positive exactly
  /// when the codewords span R^D.
  public var smallestSingularValue: Double {
    singularValues.last ?? 0
  }

  /// `dgesdd` on column-major `Aᵀ` (n×m); with `vectors`, `u` gets row-major `U` (m×p) and `vt` row-major `Vᵀ` (p×n).
  private func gesdd(vectors: Bool, u: inout [Double], vt: inout [Double]) -> [Double] {
    precondition(storage.allSatisfy(\.isFinite), "singular value decomposition of a matrix with non-finite entries")
    let p = Swift.min(rows, columns)
    guard p > 0 else { return [] }
    var a = storage
    var sigma = [Double](repeating: 0, count: p)
    var iwork = [Int32](repeating: 0, count: 8 * p)
    // LAPACK's M×N is n×m here; its U (ldu = n) is our Vᵀ, its Vᵀ (ldvt = p) our U.
    let (m32, n32, p32) = (Int32(columns), Int32(rows), Int32(p))
    let jobz = CChar(UInt8(ascii: vectors ? "S" : "N"))
    a.withUnsafeMutableBufferPointer { pa in
      sigma.withUnsafeMutableBufferPointer { ps in
        iwork.withUnsafeMutableBufferPointer { pi in
          vt.withUnsafeMutableBufferPointer { pv in
            u.withUnsafeMutableBufferPointer { pu in
              LAPACK.withWorkspace("dgesdd") {
                hsq_dgesdd(
                  jobz, m32, n32, pa.baseAddress!, m32, ps.baseAddress!, pv.baseAddress, m32, pu.baseAddress, p32,
                  $0, $1, pi.baseAddress!)
              }
            }
          }
        }
      }
    }
    return sigma
  }
}
