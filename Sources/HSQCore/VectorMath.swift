/// Float32 vector kernels with Double accumulation where sums matter.
///
/// These run on contiguous buffers; the compiler vectorizes the loops in
/// release builds. Statistics and theory use Double (DESIGN.md §4).
public enum Vec {
  /// Σ xᵢ² accumulated in Double.
  @inlinable
  public static func squaredNorm(_ x: UnsafeBufferPointer<Float>) -> Double {
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    let n = x.count
    var i = 0
    while i + 4 <= n {
      let a = Double(x[i]), b = Double(x[i + 1]), c = Double(x[i + 2]), d = Double(x[i + 3])
      s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d
      i += 4
    }
    while i < n { let a = Double(x[i]); s0 += a * a; i += 1 }
    return (s0 + s1) + (s2 + s3)
  }

  @inlinable
  public static func squaredNorm(_ x: [Float]) -> Double {
    x.withUnsafeBufferPointer { squaredNorm($0) }
  }

  /// Σ |xᵢ| in Double.
  @inlinable
  public static func norm1(_ x: [Float]) -> Double {
    x.withUnsafeBufferPointer { p in
      var s = 0.0
      for v in p { s += Double(abs(v)) }
      return s
    }
  }

  /// max |xᵢ| (0 for an empty vector).
  @inlinable
  public static func normInf(_ x: [Float]) -> Float {
    x.withUnsafeBufferPointer { p in
      var m: Float = 0
      for v in p { m = max(m, abs(v)) }
      return m
    }
  }

  /// Σ xᵢyᵢ in Double.
  @inlinable
  public static func dot(_ x: [Float], _ y: [Float]) -> Double {
    precondition(x.count == y.count, "dot of vectors of different lengths")
    return x.withUnsafeBufferPointer { a in
      y.withUnsafeBufferPointer { b in
        var s = 0.0
        for i in 0..<a.count { s += Double(a[i]) * Double(b[i]) }
        return s
      }
    }
  }

  /// ‖x − y‖² in Double.
  @inlinable
  public static func squaredDistance(_ x: [Float], _ y: [Float]) -> Double {
    precondition(x.count == y.count, "distance between vectors of different lengths")
    return x.withUnsafeBufferPointer { a in
      y.withUnsafeBufferPointer { b in
        var s = 0.0
        for i in 0..<a.count { let d = Double(a[i]) - Double(b[i]); s += d * d }
        return s
      }
    }
  }

  /// y ← y + αx.
  @inlinable
  public static func axpy(_ alpha: Float, _ x: [Float], _ y: inout [Float]) {
    precondition(x.count == y.count, "axpy of vectors of different lengths")
    x.withUnsafeBufferPointer { a in
      y.withUnsafeMutableBufferPointer { b in
        for i in 0..<a.count { b[i] += alpha * a[i] }
      }
    }
  }

  /// x ← αx.
  @inlinable
  public static func scale(_ x: inout [Float], by alpha: Float) {
    x.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] *= alpha }
    }
  }

  /// The index of the first non-finite entry, or `nil` when all are finite.
  @inlinable
  public static func firstNonFinite(_ x: UnsafeBufferPointer<Float>) -> Int? {
    // A fast pass first: the sum of x·0 is NaN iff some entry is NaN or infinite.
    var probe: Float = 0
    for v in x { probe += v * 0 }
    if probe == 0 { return nil }
    for (i, v) in x.enumerated() where !v.isFinite { return i }
    return nil
  }

  /// Throws ``HSQError/nonFinite(what:index:value:)`` when `x` has a NaN or infinite entry.
  @inlinable
  public static func requireFinite(_ x: [Float], what: String = "The vector") throws {
    try x.withUnsafeBufferPointer { p in
      if let i = firstNonFinite(p) { throw HSQError.nonFinite(what: what, index: i, value: p[i]) }
    }
  }
}
