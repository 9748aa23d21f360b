import CKernels

/// Float32 vector kernels with Double accumulation where sums matter.
///
/// These run on contiguous buffers. The long reductions run in C
/// (`CKernels`, AVX-512/AVX2 chosen at run time: Swift code is compiled for
/// the baseline x86-64) with exactly the lane arithmetic of ``doubleSum``, so
/// every result is the same bit for bit. Statistics and theory use Double
/// (DESIGN.md §4).
public enum Vec {
  /// Σ xᵢ² accumulated in Double.
  ///
  /// Eight entries at a time are widened to Double and summed in SIMD lanes:
  /// as accurate as a Double loop, and vectorized.
  public static func squaredNorm(_ x: UnsafeBufferPointer<Float>) -> Double {
    guard let base = x.baseAddress else { return 0 }
    var lanes = (SIMD8<Double>(), SIMD8<Double>())
    withUnsafeMutableBytes(of: &lanes) { hsq_sum_squares_chunks(base, Int64(x.count), $0.baseAddress!.assumingMemoryBound(to: Double.self)) }
    var total = (lanes.0 + lanes.1).sum()
    var i = x.count & ~15
    while i < x.count { total += Double(x[i]) * Double(x[i]); i += 1 }
    return total
  }

  /// Σ over 8-wide chunks of `chunk(i)` (i = start index) in Double lanes, plus `scalar` for the tail.
  @inlinable
  static func doubleSum(_ n: Int, _ chunk: (Int) -> SIMD8<Double>, scalar: (Int) -> Double) -> Double {
    var a0 = SIMD8<Double>(), a1 = SIMD8<Double>()
    var i = 0
    while i + 16 <= n {
      a0 += chunk(i)
      a1 += chunk(i + 8)
      i += 16
    }
    var total = (a0 + a1).sum()
    while i < n { total += scalar(i); i += 1 }
    return total
  }

  /// Eight Floats from `x[i...]`, widened to Double.
  @inlinable
  static func load8(_ x: UnsafeBufferPointer<Float>, _ i: Int) -> SIMD8<Double> {
    SIMD8<Double>(UnsafeRawPointer(x.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self))
  }

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

  /// ‖x − y‖² in Double (differences widened to Double, as in ``squaredNorm(_:)-(UnsafeBufferPointer<Float>)``).
  public static func squaredDistance(_ x: [Float], _ y: [Float]) -> Double {
    precondition(x.count == y.count, "distance between vectors of different lengths")
    return x.withUnsafeBufferPointer { a in
      y.withUnsafeBufferPointer { b in squaredDistance(a, b) }
    }
  }

  /// ‖x − y‖² over two buffers of the same length (the same sum as ``squaredDistance(_:_:)-([Float],[Float])``).
  public static func squaredDistance(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Double {
    precondition(a.count == b.count, "distance between vectors of different lengths")
    guard let pa = a.baseAddress, let pb = b.baseAddress else { return 0 }
    var lanes = (SIMD8<Double>(), SIMD8<Double>())
    withUnsafeMutableBytes(of: &lanes) {
      hsq_sum_squared_diffs_chunks(pa, pb, Int64(a.count), $0.baseAddress!.assumingMemoryBound(to: Double.self))
    }
    var total = (lanes.0 + lanes.1).sum()
    var i = a.count & ~15
    while i < a.count {
      let d = Double(a[i]) - Double(b[i])
      total += d * d
      i += 1
    }
    return total
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

  /// out[i] = (((0 + s·x₀[i]) + s·x₁[i]) + …) for i in `range`: a mean of vectors in a fixed order,
  /// each step rounded as in `out[i] += s * xₖ[i]` (vectorized in C; the same bits on every CPU).
  public static func scaledSum(_ x: [UnsafePointer<Float>], scale: Float, range: Range<Int>, into out: UnsafeMutablePointer<Float>) {
    guard !range.isEmpty else { return }
    x.withUnsafeBufferPointer { p in
      p.withMemoryRebound(to: UnsafePointer<Float>?.self) { q in
        hsq_scaled_sum(q.baseAddress, Int32(q.count), scale, Int64(range.lowerBound), Int64(range.upperBound), out)
      }
    }
  }

  /// SGD with heavy-ball momentum on `range`: v ← m·v + (g + λx), x ← x − η·v, each step rounded
  /// as written (vectorized in C; the same bits on every CPU).
  public static func momentumStep(
    x: UnsafeMutablePointer<Float>, velocity v: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
    range: Range<Int>, momentum: Float, decay: Float, rate: Float
  ) {
    guard !range.isEmpty else { return }
    hsq_sgd_momentum(x, v, g, Int64(range.lowerBound), Int64(range.upperBound), momentum, decay, rate)
  }

  /// x ← αx.
  @inlinable
  public static func scale(_ x: inout [Float], by alpha: Float) {
    x.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] *= alpha }
    }
  }

  /// The index of the first non-finite entry, or `nil` when all are finite.
  public static func firstNonFinite(_ x: UnsafeBufferPointer<Float>) -> Int? {
    guard let base = x.baseAddress else { return nil }
    let i = hsq_first_nonfinite(base, Int64(x.count))
    return i < 0 ? nil : Int(i)
  }

  /// Throws ``HSQError/nonFinite(what:index:value:)`` when `x` has a NaN or infinite entry.
  public static func requireFinite(_ x: [Float], what: String = "The vector") throws {
    try x.withUnsafeBufferPointer { p in
      if let i = firstNonFinite(p) { throw HSQError.nonFinite(what: what, index: i, value: p[i]) }
    }
  }
}
