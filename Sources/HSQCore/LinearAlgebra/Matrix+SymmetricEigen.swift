import Foundation

/// Symmetric eigen-decomposition: Householder tridiagonalisation, then implicit QL.
///
/// ```
/// A = V Λ Vᵀ,   VᵀV = I,   Λ = diag(λ₁ ≤ λ₂ ≤ … ≤ λ_n)
/// ```
///
/// The algorithm is EISPACK's `tred2` + `tql2` (Wilkinson & Reinsch,
/// Handbook for Automatic Computation II, 1971) in the form of the public
/// domain JAMA library: about `9n³` flops with the eigenvectors, `4n³/3`
/// for the values alone (``Matrix/symmetricEigenvalues()``), backward
/// stable (each `λ_i` is within `O(ε‖A‖)` of the exact one). The
/// transformation is stored transposed so every inner loop runs along
/// contiguous memory. Eigenvalues come out in ascending order; eigenvector
/// `i` is column `i` of ``SymmetricEigendecomposition/vectors``.
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
    var w = symmetricPart()
    let n = rows
    var d = [Double](repeating: 0, count: n)
    var e = [Double](repeating: 0, count: n)
    guard n > 0 else { return SymmetricEigendecomposition(values: [], vectors: Matrix(rows: 0, columns: 0)) }
    w.withUnsafeMutableBufferPointer { pw in
      d.withUnsafeMutableBufferPointer { pd in
        e.withUnsafeMutableBufferPointer { pe in
          Matrix.tridiagonalize(pw.baseAddress!, pd.baseAddress!, pe.baseAddress!, n, accumulate: true)
          Matrix.diagonalizeTridiagonal(pw.baseAddress!, pd.baseAddress!, pe.baseAddress!, n)
        }
      }
    }
    return SymmetricEigendecomposition(values: d, vectors: Matrix(rows: n, columns: n, storage: w).transposed)
  }

  /// The eigenvalues of a symmetric matrix, ascending, without the eigenvectors.
  ///
  /// ```
  /// A = V Λ Vᵀ  →  [λ₁ ≤ λ₂ ≤ … ≤ λ_n]
  /// ```
  ///
  /// The same `tred2` + `tql2` as ``symmetricEigen()`` with the orthogonal
  /// transformation neither accumulated nor rotated: about `4n³/3` flops (the
  /// Householder reduction) instead of `9n³`. The arithmetic on the diagonal
  /// and sub-diagonal is the same, so the result equals
  /// `symmetricEigen().values` bit for bit. Same preconditions: square,
  /// symmetric up to rounding, finite.
  public func symmetricEigenvalues() -> [Double] {
    var w = symmetricPart()
    let n = rows
    guard n > 0 else { return [] }
    var d = [Double](repeating: 0, count: n)
    var e = [Double](repeating: 0, count: n)
    w.withUnsafeMutableBufferPointer { pw in
      d.withUnsafeMutableBufferPointer { pd in
        e.withUnsafeMutableBufferPointer { pe in
          Matrix.tridiagonalize(pw.baseAddress!, pd.baseAddress!, pe.baseAddress!, n, accumulate: false)
          Matrix.diagonalizeTridiagonal(nil, pd.baseAddress!, pe.baseAddress!, n)
        }
      }
    }
    return d
  }

  /// The eigenvalues, ascending, of the symmetric tridiagonal matrix with the given diagonal and off-diagonal.
  ///
  /// ```
  /// T_ii = a_i = diagonal[i],  T_{i,i+1} = T_{i+1,i} = b_i = offDiagonal[i],  T = Q Λ Qᵀ  →  [λ₁ ≤ … ≤ λ_n]
  /// ```
  ///
  /// Implicit QL with Wilkinson-style shifts (EISPACK `tql2` without the
  /// eigenvectors, as in ``symmetricEigen()``): `O(n²)` flops, backward
  /// stable. `offDiagonal` has `n − 1` entries (none when `n = 0`); the
  /// Lanczos method's Ritz values are the typical use.
  public static func tridiagonalEigenvalues(diagonal: [Double], offDiagonal: [Double]) -> [Double] {
    let n = diagonal.count
    precondition(
      offDiagonal.count == Swift.max(n - 1, 0),
      "a tridiagonal matrix with \(n) diagonal entries needs \(Swift.max(n - 1, 0)) off-diagonal ones, not \(offDiagonal.count)")
    guard n > 0 else { return [] }
    var d = diagonal
    var e = [0] + offDiagonal  // `tql2` reads the sub-diagonal from e[1...], as `tred2` leaves it
    d.withUnsafeMutableBufferPointer { pd in
      e.withUnsafeMutableBufferPointer { pe in
        Matrix.diagonalizeTridiagonal(nil, pd.baseAddress!, pe.baseAddress!, n)
      }
    }
    return d
  }

  /// `Vᵀ` before any transformation (`W = (A + Aᵀ)/2`, row-major), after checking that `A` is square, finite and symmetric up to rounding.
  private func symmetricPart() -> [Double] {
    precondition(rows == columns, "eigen-decomposition of a non-square \(rows)×\(columns) matrix")
    precondition(storage.allSatisfy(\.isFinite), "eigen-decomposition of a matrix with non-finite entries")
    let n = rows
    // W = Vᵀ, row-major: V[r][c] is w[c * n + r]. Start from the symmetric part of A.
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

  /// Householder reduction to tridiagonal form (`tred2`); `d` gets the diagonal, `e[1...]` the sub-diagonal,
  /// and `w` the transformation when `accumulate` (otherwise `w` is left as scratch).
  private static func tridiagonalize(
    _ w: UnsafeMutablePointer<Double>, _ d: UnsafeMutablePointer<Double>, _ e: UnsafeMutablePointer<Double>, _ n: Int,
    accumulate: Bool
  ) {
    for j in 0..<n { d[j] = w[j * n + n - 1] }
    for i in stride(from: n - 1, to: 0, by: -1) {
      var scale = 0.0, h = 0.0
      for k in 0..<i { scale += Swift.abs(d[k]) }
      if scale == 0 {
        e[i] = d[i - 1]
        for j in 0..<i {
          d[j] = w[j * n + i - 1]
          w[j * n + i] = 0
          w[i * n + j] = 0
        }
      } else {
        for k in 0..<i { d[k] /= scale; h += d[k] * d[k] }
        var f = d[i - 1]
        var g = h.squareRoot()
        if f > 0 { g = -g }
        e[i] = scale * g
        h -= f * g
        d[i - 1] = f - g
        for j in 0..<i { e[j] = 0 }
        for j in 0..<i {
          f = d[j]
          w[i * n + j] = f
          let col = w + j * n
          g = e[j] + col[j] * f
          for k in (j + 1)..<Swift.max(i, j + 1) {
            g += col[k] * d[k]
            e[k] += col[k] * f
          }
          e[j] = g
        }
        f = 0
        for j in 0..<i { e[j] /= h; f += e[j] * d[j] }
        let hh = f / (h + h)
        for j in 0..<i { e[j] -= hh * d[j] }
        for j in 0..<i {
          f = d[j]
          g = e[j]
          let col = w + j * n
          for k in j..<i { col[k] -= f * e[k] + g * d[k] }
          d[j] = col[i - 1]
          col[i] = 0
        }
      }
      d[i] = h
    }
    guard accumulate else {
      // The tridiagonal's diagonal sits on w's diagonal; the accumulation below only moves it to d.
      for j in 0..<n { d[j] = w[j * n + j] }
      e[0] = 0
      return
    }
    // Accumulate the transformations.
    for i in 0..<(n - 1) {
      w[i * n + n - 1] = w[i * n + i]
      w[i * n + i] = 1
      let h = d[i + 1]
      let next = w + (i + 1) * n
      if h != 0 {
        for k in 0...i { d[k] = next[k] / h }
        for j in 0...i {
          let col = w + j * n
          var g = 0.0
          for k in 0...i { g += next[k] * col[k] }
          for k in 0...i { col[k] -= g * d[k] }
        }
      }
      for k in 0...i { next[k] = 0 }
    }
    for j in 0..<n {
      d[j] = w[j * n + n - 1]
      w[j * n + n - 1] = 0
    }
    w[(n - 1) * n + n - 1] = 1
    e[0] = 0
  }

  /// Implicit QL iterations on the tridiagonal matrix (`tql2`), then an ascending sort; the rows of `w`
  /// (the eigenvectors, transposed) are rotated and permuted along, unless `w` is `nil`.
  private static func diagonalizeTridiagonal(
    _ w: UnsafeMutablePointer<Double>?, _ d: UnsafeMutablePointer<Double>, _ e: UnsafeMutablePointer<Double>, _ n: Int
  ) {
    for i in 1..<Swift.max(n, 1) { e[i - 1] = e[i] }
    e[n - 1] = 0
    var f = 0.0, tst1 = 0.0
    let eps = Double.ulpOfOne
    for l in 0..<n {
      tst1 = Swift.max(tst1, Swift.abs(d[l]) + Swift.abs(e[l]))
      var m = l
      while m < n - 1, Swift.abs(e[m]) > eps * tst1 { m += 1 }
      if m > l {
        var iterations = 0
        repeat {
          iterations += 1
          var g = d[l]
          var p = (d[l + 1] - g) / (2 * e[l])
          var r = hypot(p, 1)
          if p < 0 { r = -r }
          d[l] = e[l] / (p + r)
          d[l + 1] = e[l] * (p + r)
          let dl1 = d[l + 1]
          var h = g - d[l]
          for i in (l + 2)..<Swift.max(n, l + 2) { d[i] -= h }
          f += h
          p = d[m]
          var c = 1.0, c2 = 1.0, c3 = 1.0, s = 0.0, s2 = 0.0
          let el1 = e[l + 1]
          for i in stride(from: m - 1, through: l, by: -1) {
            c3 = c2
            c2 = c
            s2 = s
            g = c * e[i]
            h = c * p
            r = hypot(p, e[i])
            e[i + 1] = s * r
            s = e[i] / r
            c = p / r
            p = c * d[i] - s * g
            d[i + 1] = h + s * (c * g + s * d[i])
            if let w {
              let vi = w + i * n, vi1 = w + (i + 1) * n
              for k in 0..<n {
                let t = vi1[k]
                vi1[k] = s * vi[k] + c * t
                vi[k] = c * vi[k] - s * t
              }
            }
          }
          p = -s * s2 * c3 * el1 * e[l] / dl1
          e[l] = s * p
          d[l] = c * p
        } while Swift.abs(e[l]) > eps * tst1 && iterations < 200
      }
      d[l] += f
      e[l] = 0
    }
    for i in 0..<(n - 1) {
      var k = i
      var p = d[i]
      for j in (i + 1)..<n where d[j] < p { k = j; p = d[j] }
      if k != i {
        d[k] = d[i]
        d[i] = p
        if let w {
          let vi = w + i * n, vk = w + k * n
          for j in 0..<n { let t = vi[j]; vi[j] = vk[j]; vk[j] = t }
        }
      }
    }
  }
}
