import Foundation
import HSQCore

/// Eigenvalues (and optionally eigenvectors) of a real symmetric matrix, in Double.
///
/// ```
/// A = V Λ Vᵀ,  Λ = diag(λ₁ ≤ … ≤ λₙ),  VᵀV = I
/// ```
///
/// Householder reduction to tridiagonal form followed by the implicit QL
/// method with Wilkinson-style shifts: EISPACK `tred2`/`tql2` (Bowdler,
/// Martin, Reinsch & Wilkinson, Handbook for Automatic Computation II), as
/// transcribed in JAMA. O(n³) with a small constant: about 4n³/3 flops for
/// the values, 3× more with vectors. Only the lower triangle of `A` is read.
struct SymmetricEigen {
  /// Eigenvalues in increasing order.
  var values: [Double]
  /// Eigenvectors as the columns of an n×n matrix (same order), when asked for.
  var vectors: Matrix?

  init(_ a: Matrix, vectors wantVectors: Bool) {
    precondition(a.rows == a.columns, "eigenvalues of a non-square matrix")
    let n = a.rows
    guard n > 0 else { values = []; vectors = wantVectors ? Matrix(rows: 0, columns: 0) : nil; return }
    var v = a.storage
    var d = [Double](repeating: 0, count: n)
    var e = [Double](repeating: 0, count: n)
    v.withUnsafeMutableBufferPointer { Self.tridiagonalize($0, n: n, d: &d, e: &e, accumulate: wantVectors) }
    Self.diagonalize(&d, &e, vectors: &v, rotate: wantVectors, n: n)
    var order = Array(0..<n)
    order.sort { d[$0] < d[$1] }
    values = order.map { d[$0] }
    if wantVectors {
      var m = Matrix(rows: n, columns: n)
      for (column, j) in order.enumerated() { for i in 0..<n { m[i, column] = v[i * n + j] } }
      vectors = m
    } else {
      vectors = nil
    }
  }

  /// Eigenvalues (increasing) of the symmetric tridiagonal matrix with `diagonal` and `offDiagonal` (n − 1 values).
  static func tridiagonalValues(diagonal: [Double], offDiagonal: [Double]) -> [Double] {
    let n = diagonal.count
    guard n > 0 else { return [] }
    var d = diagonal
    var e = [0] + offDiagonal  // tql2 reads the sub-diagonal from e[1...]
    e.append(contentsOf: repeatElement(0, count: max(0, n - e.count)))
    var none: [Double] = []
    diagonalize(&d, &e, vectors: &none, rotate: false, n: n)
    return d.sorted()
  }

  /// Householder tridiagonalization (`tred2`): diagonal in `d`, sub-diagonal in `e[1...]`,
  /// the orthogonal transformation in `v` when `accumulate`.
  private static func tridiagonalize(_ v: UnsafeMutableBufferPointer<Double>, n: Int, d: inout [Double], e: inout [Double], accumulate: Bool) {
    for j in 0..<n { d[j] = v[(n - 1) * n + j] }
    for i in stride(from: n - 1, to: 0, by: -1) {
      var scale = 0.0, h = 0.0
      for k in 0..<i { scale += abs(d[k]) }
      if scale == 0 {
        e[i] = d[i - 1]
        for j in 0..<i {
          d[j] = v[(i - 1) * n + j]
          v[i * n + j] = 0
          v[j * n + i] = 0
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
          v[j * n + i] = f
          g = e[j] + v[j * n + j] * f
          var k = j + 1
          while k <= i - 1 {
            g += v[k * n + j] * d[k]
            e[k] += v[k * n + j] * f
            k += 1
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
          for k in j..<i { v[k * n + j] -= f * e[k] + g * d[k] }
          d[j] = v[(i - 1) * n + j]
          v[i * n + j] = 0
        }
      }
      d[i] = h
    }
    guard accumulate else {
      // The tridiagonal's diagonal sits on v's diagonal; the accumulation below would only move it.
      for j in 0..<n { d[j] = v[j * n + j] }
      e[0] = 0
      return
    }
    for i in 0..<(n - 1) {
      v[(n - 1) * n + i] = v[i * n + i]
      v[i * n + i] = 1
      let h = d[i + 1]
      if h != 0 {
        for k in 0...i { d[k] = v[k * n + i + 1] / h }
        for j in 0...i {
          var g = 0.0
          for k in 0...i { g += v[k * n + i + 1] * v[k * n + j] }
          for k in 0...i { v[k * n + j] -= g * d[k] }
        }
      }
      for k in 0...i { v[k * n + i + 1] = 0 }
    }
    for j in 0..<n {
      d[j] = v[(n - 1) * n + j]
      v[(n - 1) * n + j] = 0
    }
    v[(n - 1) * n + n - 1] = 1
    e[0] = 0
  }

  /// Implicit QL on the tridiagonal (`tql2`): eigenvalues in `d` (unsorted), vectors rotated into `vectors`.
  private static func diagonalize(_ d: inout [Double], _ e: inout [Double], vectors: inout [Double], rotate: Bool, n: Int) {
    for i in 1..<max(n, 1) { e[i - 1] = e[i] }
    e[n - 1] = 0
    var f = 0.0, tst1 = 0.0
    let eps = Double.ulpOfOne
    for l in 0..<n {
      tst1 = max(tst1, abs(d[l]) + abs(e[l]))
      var m = l
      while m < n - 1, abs(e[m]) > eps * tst1 { m += 1 }
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
          for i in (l + 2)..<max(n, l + 2) { d[i] -= h }
          f += h
          p = d[m]
          var c = 1.0, c2 = 1.0, c3 = 1.0, s = 0.0, s2 = 0.0
          let el1 = e[l + 1]
          for i in stride(from: m - 1, through: l, by: -1) {
            c3 = c2; c2 = c; s2 = s
            g = c * e[i]
            h = c * p
            r = hypot(p, e[i])
            e[i + 1] = s * r
            s = e[i] / r
            c = p / r
            p = c * d[i] - s * g
            d[i + 1] = h + s * (c * g + s * d[i])
            if rotate {
              let (cc, ss) = (c, s)
              vectors.withUnsafeMutableBufferPointer { v in
                for k in 0..<n {
                  let t = v[k * n + i + 1]
                  v[k * n + i + 1] = ss * v[k * n + i] + cc * t
                  v[k * n + i] = cc * v[k * n + i] - ss * t
                }
              }
            }
          }
          p = -s * s2 * c3 * el1 * e[l] / dl1
          e[l] = s * p
          d[l] = c * p
        } while abs(e[l]) > eps * tst1 && iterations < 60
      }
      d[l] += f
      e[l] = 0
    }
  }
}
