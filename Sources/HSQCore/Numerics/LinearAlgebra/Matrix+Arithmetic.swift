/// Products, sums, scaling and norms of dense Double matrices.
///
/// The loops run over contiguous rows (`i-k-j` order) on unsafe buffers, so
/// the compiler vectorizes them in release builds: a 1024×1024 product is
/// about 10⁹ multiply-adds. Shapes are checked with preconditions (a shape
/// mismatch is a programming error, not a user error).
extension Matrix {
  /// The product `A·B`.
  ///
  /// ```
  /// (AB)_ij = Σ_k A_ik B_kj
  /// ```
  public static func * (a: Matrix, b: Matrix) -> Matrix {
    precondition(a.columns == b.rows, "cannot multiply \(a.rows)×\(a.columns) by \(b.rows)×\(b.columns)")
    var c = Matrix(rows: a.rows, columns: b.columns)
    let n = a.columns, p = b.columns
    guard n > 0, p > 0, a.rows > 0 else { return c }
    a.storage.withUnsafeBufferPointer { pa in
      b.storage.withUnsafeBufferPointer { pb in
        c.storage.withUnsafeMutableBufferPointer { pc in
          for i in 0..<a.rows {
            let ci = pc.baseAddress! + i * p
            for k in 0..<n {
              let aik = pa[i * n + k]
              if aik == 0 { continue }
              let bk = pb.baseAddress! + k * p
              for j in 0..<p { ci[j] += aik * bk[j] }
            }
          }
        }
      }
    }
    return c
  }

  /// The product `Aᵀ·B` without forming `Aᵀ`.
  ///
  /// ```
  /// (AᵀB)_ij = Σ_k A_ki B_kj
  /// ```
  public func transposeMultiply(_ b: Matrix) -> Matrix {
    precondition(rows == b.rows, "cannot multiply the transpose of \(rows)×\(columns) by \(b.rows)×\(b.columns)")
    var c = Matrix(rows: columns, columns: b.columns)
    let m = columns, p = b.columns
    guard rows > 0, m > 0, p > 0 else { return c }
    storage.withUnsafeBufferPointer { pa in
      b.storage.withUnsafeBufferPointer { pb in
        c.storage.withUnsafeMutableBufferPointer { pc in
          for k in 0..<rows {
            let bk = pb.baseAddress! + k * p
            for i in 0..<m {
              let aki = pa[k * m + i]
              if aki == 0 { continue }
              let ci = pc.baseAddress! + i * p
              for j in 0..<p { ci[j] += aki * bk[j] }
            }
          }
        }
      }
    }
    return c
  }

  /// The product `A·Bᵀ` without forming `Bᵀ` (row-by-row dot products).
  ///
  /// ```
  /// (ABᵀ)_ij = Σ_k A_ik B_jk
  /// ```
  public func multiplyTransposed(_ b: Matrix) -> Matrix {
    precondition(columns == b.columns, "cannot multiply \(rows)×\(columns) by the transpose of \(b.rows)×\(b.columns)")
    var c = Matrix(rows: rows, columns: b.rows)
    let n = columns
    guard n > 0, rows > 0, b.rows > 0 else { return c }
    storage.withUnsafeBufferPointer { pa in
      b.storage.withUnsafeBufferPointer { pb in
        c.storage.withUnsafeMutableBufferPointer { pc in
          for i in 0..<rows {
            let ai = pa.baseAddress! + i * n
            for j in 0..<b.rows {
              let bj = pb.baseAddress! + j * n
              var s = 0.0
              for k in 0..<n { s += ai[k] * bj[k] }
              pc[i * b.rows + j] = s
            }
          }
        }
      }
    }
    return c
  }

  /// The matrix–vector product `A·x`.
  public func multiply(_ x: [Double]) -> [Double] {
    precondition(x.count == columns, "cannot multiply \(rows)×\(columns) by a vector of length \(x.count)")
    var y = [Double](repeating: 0, count: rows)
    guard rows > 0, columns > 0 else { return y }
    storage.withUnsafeBufferPointer { pa in
      x.withUnsafeBufferPointer { px in
        for i in 0..<rows {
          let ai = pa.baseAddress! + i * columns
          var s = 0.0
          for k in 0..<columns { s += ai[k] * px[k] }
          y[i] = s
        }
      }
    }
    return y
  }

  /// The product `Aᵀ·x` without forming `Aᵀ`.
  public func transposeMultiply(_ x: [Double]) -> [Double] {
    precondition(x.count == rows, "cannot multiply the transpose of \(rows)×\(columns) by a vector of length \(x.count)")
    var y = [Double](repeating: 0, count: columns)
    guard rows > 0, columns > 0 else { return y }
    storage.withUnsafeBufferPointer { pa in
      y.withUnsafeMutableBufferPointer { py in
        for k in 0..<rows {
          let xk = x[k]
          if xk == 0 { continue }
          let ak = pa.baseAddress! + k * columns
          for j in 0..<columns { py[j] += xk * ak[j] }
        }
      }
    }
    return y
  }

  /// The entrywise sum `A + B`.
  public static func + (a: Matrix, b: Matrix) -> Matrix {
    precondition(a.rows == b.rows && a.columns == b.columns, "cannot add \(a.rows)×\(a.columns) and \(b.rows)×\(b.columns)")
    var c = a
    c.storage.withUnsafeMutableBufferPointer { pc in
      b.storage.withUnsafeBufferPointer { pb in
        for i in 0..<pc.count { pc[i] += pb[i] }
      }
    }
    return c
  }

  /// The entrywise difference `A − B`.
  public static func - (a: Matrix, b: Matrix) -> Matrix {
    precondition(a.rows == b.rows && a.columns == b.columns, "cannot subtract \(b.rows)×\(b.columns) from \(a.rows)×\(a.columns)")
    var c = a
    c.storage.withUnsafeMutableBufferPointer { pc in
      b.storage.withUnsafeBufferPointer { pb in
        for i in 0..<pc.count { pc[i] -= pb[i] }
      }
    }
    return c
  }

  /// The matrix scaled by `s`: `s·A`.
  public static func * (s: Double, a: Matrix) -> Matrix {
    a.scaled(by: s)
  }

  /// The matrix scaled by `s`.
  public func scaled(by s: Double) -> Matrix {
    var c = self
    c.storage.withUnsafeMutableBufferPointer { pc in
      for i in 0..<pc.count { pc[i] *= s }
    }
    return c
  }

  /// The Frobenius norm, computed with scaling so it neither overflows nor underflows.
  ///
  /// ```
  /// ‖A‖_F = (Σ_ij A_ij²)^½
  /// ```
  public var frobeniusNorm: Double {
    storage.withUnsafeBufferPointer { p in
      var scale = 0.0
      for x in p { scale = Swift.max(scale, Swift.abs(x)) }
      guard scale > 0, scale.isFinite else { return scale }
      let inv = 1 / scale
      var s = 0.0
      for x in p { let y = x * inv; s += y * y }
      return scale * s.squareRoot()
    }
  }

  /// The largest entry in absolute value, `max_ij |A_ij|` (0 for an empty matrix).
  public var maxAbsEntry: Double {
    storage.reduce(0) { Swift.max($0, Swift.abs($1)) }
  }

  /// The sub-matrix of the given rows and columns (half-open ranges).
  public func submatrix(rows rowRange: Range<Int>, columns columnRange: Range<Int>) -> Matrix {
    precondition(rowRange.lowerBound >= 0 && rowRange.upperBound <= rows, "row range \(rowRange) outside 0..<\(rows)")
    precondition(columnRange.lowerBound >= 0 && columnRange.upperBound <= columns, "column range \(columnRange) outside 0..<\(columns)")
    var s = Matrix(rows: rowRange.count, columns: columnRange.count)
    for (si, i) in rowRange.enumerated() {
      for (sj, j) in columnRange.enumerated() { s[si, sj] = self[i, j] }
    }
    return s
  }
}
