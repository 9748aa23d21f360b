import HSQCore

/// The few dense Double kernels the synthetic generators need (row-major storage).
///
/// Random rotations come from HSQCore (``Matrix/randomOrthogonal(_:_:)``, LAPACK QR); what
/// stays here is what defines the generated data bit for bit (the Gram–Schmidt basis of
/// the mixture's class means, the whitening of the linear dataset's features): swapping
/// them for LAPACK would change every seeded dataset, and with it recorded runs and snapshots.
enum DenseAlgebra {
  /// Orthonormalizes the columns of a `rows × columns` matrix in place (modified Gram–Schmidt, twice
  /// for accuracy). Requires `columns ≤ rows` and independent columns (true almost surely for Gaussian ones).
  static func orthonormalizeColumns(_ a: inout [Double], rows: Int, columns: Int) {
    for j in 0..<columns {
      for _ in 0..<2 {
        for k in 0..<j {
          var dot = 0.0
          for i in 0..<rows { dot += a[i * columns + k] * a[i * columns + j] }
          for i in 0..<rows { a[i * columns + j] -= dot * a[i * columns + k] }
        }
      }
      var norm = 0.0
      for i in 0..<rows { norm += a[i * columns + j] * a[i * columns + j] }
      let inv = 1 / norm.squareRoot()
      for i in 0..<rows { a[i * columns + j] *= inv }
    }
  }

  /// Output rows computed together, so each row of the right factor is read once per block
  /// (16 rows of 784 Doubles stay in L2; memory traffic drops 16×).
  static let rowBlock = 16

  /// `aᵀa` for an `n × d` matrix `a` (d × d, symmetric).
  static func gram(_ a: [Double], rows n: Int, columns d: Int) -> [Double] {
    var g = [Double](repeating: 0, count: d * d)
    a.withUnsafeBufferPointer { a in
      g.withUnsafeMutableBufferPointer { g in
        let a = a.baseAddress!, g = g.baseAddress!
        for i0 in stride(from: 0, to: d, by: rowBlock) {
          let i1 = min(i0 + rowBlock, d)
          for r in 0..<n {
            let row = a + r * d
            for i in i0..<i1 {
              let x = row[i], out = g + i * d
              for j in i..<d { out[j] += x * row[j] }
            }
          }
        }
        for i in 0..<d { for j in 0..<i { g[i * d + j] = g[j * d + i] } }
      }
    }
    return g
  }

  /// The lower-triangular Cholesky factor `L` of a symmetric positive-definite `g` (`g = L Lᵀ`), or `nil`.
  static func cholesky(_ g: [Double], _ d: Int) -> [Double]? {
    var l = [Double](repeating: 0, count: d * d)
    for i in 0..<d {
      for j in 0...i {
        var s = g[i * d + j]
        for k in 0..<j { s -= l[i * d + k] * l[j * d + k] }
        if i == j {
          guard s > 0 else { return nil }
          l[i * d + i] = s.squareRoot()
        } else {
          l[i * d + j] = s / l[j * d + j]
        }
      }
    }
    return l
  }

  /// `L⁻ᵀ` for a lower-triangular `L` (upper-triangular result).
  static func inverseTranspose(lower l: [Double], _ d: Int) -> [Double] {
    // Solve L X = I column by column (forward substitution); then transpose.
    var inv = [Double](repeating: 0, count: d * d)
    for c in 0..<d {
      for i in c..<d {
        var s = i == c ? 1.0 : 0.0
        for k in c..<i { s -= l[i * d + k] * inv[k * d + c] }
        inv[i * d + c] = s / l[i * d + i]
      }
    }
    var t = [Double](repeating: 0, count: d * d)
    for i in 0..<d { for j in 0..<d { t[j * d + i] = inv[i * d + j] } }
    return t
  }

  /// `a · b` for `a` (n × k) and `b` (k × m).
  static func multiply(_ a: [Double], _ b: [Double], n: Int, k: Int, m: Int) -> [Double] {
    var c = [Double](repeating: 0, count: n * m)
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        c.withUnsafeMutableBufferPointer { c in
          let a = a.baseAddress!, b = b.baseAddress!, c = c.baseAddress!
          for i0 in stride(from: 0, to: n, by: rowBlock) {
            let i1 = min(i0 + rowBlock, n)
            for p in 0..<k {
              let row = b + p * m
              for i in i0..<i1 {
                let x = a[i * k + p]
                if x == 0 { continue }
                let out = c + i * m
                for j in 0..<m { out[j] += x * row[j] }
              }
            }
          }
        }
      }
    }
    return c
  }
}
