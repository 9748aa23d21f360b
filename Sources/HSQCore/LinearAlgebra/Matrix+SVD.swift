/// Singular value decomposition: QR preconditioning, then one-sided Jacobi.
///
/// ```
/// A = U Σ Vᵀ,   A m×n,  p = min(m, n)
/// U m×p, V n×p with orthonormal columns,   Σ = diag(σ₁ ≥ σ₂ ≥ … ≥ σ_p ≥ 0)
/// ```
///
/// A tall `A` (transpose a wide one) is first reduced to `R` by Householder
/// QR; Hestenes' one-sided Jacobi then rotates pairs of columns of `Rᵀ`
/// until every pair is orthogonal to `√n·ε` relative to the columns' norms
/// (Drmač & Veselić 2008: Jacobi on `Rᵀ` needs fewer sweeps than on `A`).
/// The singular values come out with small relative error even when they
/// span many orders of magnitude, which a decomposition of `AᵀA` cannot
/// give. A zero singular value gets singular vectors that complete the
/// orthonormal set, so `UᵀU = VᵀV = I` always holds.
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
    guard rows >= columns else {
      let t = transposed.singularValueDecomposition()
      return SingularValueDecomposition(u: t.v, singularValues: t.singularValues, v: t.u)
    }
    let n = columns
    let (q, r) = qrFactors(formQ: true)
    // Columns of X = Rᵀ are the rows of R, contiguous; J accumulates the rotations (column-major).
    var x = r.storage
    var j = Matrix.identity(n).storage
    let sigma = Matrix.jacobiOrthogonalize(&x, &j, order: n, accumulate: true)
    let order = (0..<n).sorted { sigma[$0] > sigma[$1] || (sigma[$0] == sigma[$1] && $0 < $1) }
    // X·J = W = U_x Σ, so Rᵀ = U_x Σ Jᵀ, R = J Σ U_xᵀ and A = (Q J) Σ U_xᵀ.
    var ux = [Double](repeating: 0, count: n * n)
    var jSorted = Matrix(rows: n, columns: n)
    for (newIndex, old) in order.enumerated() {
      let s = sigma[old]
      for i in 0..<n {
        ux[newIndex * n + i] = s > 0 ? x[old * n + i] / s : 0
        jSorted[i, newIndex] = j[old * n + i]
      }
    }
    let zeros = order.indices.filter { sigma[order[$0]] == 0 }
    Matrix.completeOrthonormal(&ux, order: n, missing: zeros)
    var v = Matrix(rows: n, columns: n)
    for c in 0..<n { for i in 0..<n { v[i, c] = ux[c * n + i] } }
    return SingularValueDecomposition(u: q! * jSorted, singularValues: order.map { sigma[$0] }, v: v)
  }

  /// The min(m, n) singular values, descending, without the cost of the singular vectors.
  public var singularValues: [Double] {
    guard rows >= columns else { return transposed.singularValues }
    var x = householderR().storage
    var unused: [Double] = []
    return Matrix.jacobiOrthogonalize(&x, &unused, order: columns, accumulate: false).sorted(by: >)
  }

  /// σ_min, the smallest of the min(m, n) singular values (0 for an empty matrix).
  ///
  /// For a D×K codebook with K ≥ D this is σ_D, which is positive exactly
  /// when the codewords span R^D.
  public var smallestSingularValue: Double {
    singularValues.last ?? 0
  }

  /// One-sided Jacobi on the `order` columns (each `order` long, contiguous) of `x`; returns the column norms.
  ///
  /// When `accumulate` is set, the same rotations are applied to the columns of `j`.
  static func jacobiOrthogonalize(_ x: inout [Double], _ j: inout [Double], order n: Int, accumulate: Bool) -> [Double] {
    guard n > 0 else { return [] }
    let tolerance = Double.ulpOfOne * Double(n).squareRoot()
    var norms = [Double](repeating: 0, count: n)
    x.withUnsafeMutableBufferPointer { bx in
      j.withUnsafeMutableBufferPointer { bj in
        let px = bx.baseAddress!
        for _ in 0..<80 {
          for c in 0..<n { norms[c] = dot(px + c * n, px + c * n, n) }
          var rotated = false
          for p in 0..<(n - 1) {
            for q in (p + 1)..<n {
              let a = norms[p], b = norms[q]
              if a == 0 || b == 0 { continue }
              let g = dot(px + p * n, px + q * n, n)
              if Swift.abs(g) <= tolerance * a.squareRoot() * b.squareRoot() { continue }
              rotated = true
              let zeta = (b - a) / (2 * g)
              let t = (zeta >= 0 ? 1.0 : -1.0) / (Swift.abs(zeta) + (1 + zeta * zeta).squareRoot())
              let c = 1 / (1 + t * t).squareRoot(), s = c * t
              rotate(px + p * n, px + q * n, n, c, s)
              if accumulate { rotate(bj.baseAddress! + p * n, bj.baseAddress! + q * n, n, c, s) }
              norms[p] = a - t * g
              norms[q] = b + t * g
            }
          }
          if !rotated { break }
        }
        for c in 0..<n { norms[c] = dot(px + c * n, px + c * n, n).squareRoot() }
      }
    }
    return norms
  }

  /// Fills the columns listed in `missing` (column-major, `order` long) with unit vectors orthogonal to all others.
  static func completeOrthonormal(_ u: inout [Double], order n: Int, missing: [Int]) {
    guard !missing.isEmpty else { return }
    let missingSet = Set(missing)
    var basis = (0..<n).filter { !missingSet.contains($0) }
    var candidate = 0
    for target in missing {
      while candidate < n {
        var v = [Double](repeating: 0, count: n)
        v[candidate] = 1
        candidate += 1
        for _ in 0..<2 {
          for b in basis {
            var s = 0.0
            for i in 0..<n { s += u[b * n + i] * v[i] }
            for i in 0..<n { v[i] -= s * u[b * n + i] }
          }
        }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm > 0.5 {
          for i in 0..<n { u[target * n + i] = v[i] / norm }
          basis.append(target)
          break
        }
      }
    }
  }

  @inline(__always)
  private static func dot(_ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, _ n: Int) -> Double {
    var s0 = 0.0, s1 = 0.0
    var i = 0
    while i + 2 <= n { s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; i += 2 }
    if i < n { s0 += a[i] * b[i] }
    return s0 + s1
  }

  @inline(__always)
  private static func rotate(_ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, _ n: Int, _ c: Double, _ s: Double) {
    for i in 0..<n {
      let x = a[i], y = b[i]
      a[i] = c * x - s * y
      b[i] = s * x + c * y
    }
  }
}
