import CKernels

/// Float32 vector kernels with Double accumulation where sums matter.
///
/// These run on contiguous buffers; the compiler vectorizes the loops in
/// release builds. Statistics and theory use Double (DESIGN.md §4).
public enum Vec {
  /// Σ xᵢ² accumulated in Double.
  ///
  /// Eight entries at a time are widened to Double and summed in SIMD lanes:
  /// as accurate as a Double loop, and vectorized.
  public static func squaredNorm(_ x: UnsafeBufferPointer<Float>) -> Double {
    var norm = 0.0
    if let base = x.baseAddress, hsq_sums_of_squares(base, nil, Int64(x.count), &norm, nil) != 0 { return norm }
    return portableSquaredNorm(x)
  }

  /// ``squaredNorm(_:)-(UnsafeBufferPointer<Float>)`` in Swift (the reference the C kernel matches).
  @inlinable
  public static func portableSquaredNorm(_ x: UnsafeBufferPointer<Float>) -> Double {
    doubleSum(x.count) { i in let v = load8(x, i); return v * v } scalar: { i in Double(x[i]) * Double(x[i]) }
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

  @inlinable
  static func load16(_ x: UnsafeBufferPointer<Float>, _ i: Int) -> SIMD16<Float> {
    UnsafeRawPointer(x.baseAddress! + i).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inlinable
  public static func squaredNorm(_ x: [Float]) -> Double {
    x.withUnsafeBufferPointer { squaredNorm($0) }
  }

  /// Σ |xᵢ| in Double, in the lanes of ``doubleSum(_:_:scalar:)`` (the C kernel where the CPU has AVX-512).
  @inlinable
  public static func norm1(_ x: [Float]) -> Double {
    x.withUnsafeBufferPointer { p in
      var norm = 0.0
      if let base = p.baseAddress, hsq_norm1(base, Int64(p.count), &norm) != 0 { return norm }
      return portableNorm1(p)
    }
  }

  /// ``norm1(_:)`` in Swift (the reference the C kernel matches).
  @inlinable
  public static func portableNorm1(_ x: UnsafeBufferPointer<Float>) -> Double {
    // −v where v < 0: |v| for every value but −0, which stays −0 and adds to a sum as +0 does.
    doubleSum(x.count) { i in let v = load8(x, i); return v.replacing(with: -v, where: v .< 0) } scalar: { i in Double(abs(x[i])) }
  }

  /// max |xᵢ| (0 for an empty vector).
  @inlinable
  public static func normInf(_ x: [Float]) -> Float {
    x.withUnsafeBufferPointer { p in
      var m: Float = 0
      if let base = p.baseAddress, hsq_norm_inf(base, Int64(p.count), &m) != 0 { return m }
      return portableNormInf(p)
    }
  }

  /// ``normInf(_:)`` as a Swift loop (where the C kernel does not run, and its reference in the tests).
  @inlinable
  public static func portableNormInf(_ p: UnsafeBufferPointer<Float>) -> Float {
    var m: Float = 0
    for v in p { m = max(m, abs(v)) }
    return m
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
  @inlinable
  public static func squaredDistance(_ x: [Float], _ y: [Float]) -> Double {
    precondition(x.count == y.count, "distance between vectors of different lengths")
    return x.withUnsafeBufferPointer { a in
      y.withUnsafeBufferPointer { b in
        doubleSum(a.count) { i in let d = load8(a, i) - load8(b, i); return d * d } scalar: { i in
          let d = Double(a[i]) - Double(b[i])
          return d * d
        }
      }
    }
  }

  /// (‖x‖², ‖y − x‖²) in one pass: each equal, bit for bit, to ``squaredNorm(_:)-([Float])``
  /// and ``squaredDistance(_:_:)`` (the same lanes, in the same order).
  public static func squaredNormAndDistance(_ x: [Float], _ y: [Float]) -> (norm: Double, distance: Double) {
    precondition(x.count == y.count, "distance between vectors of different lengths")
    var norm = 0.0, distance = 0.0
    let fast = x.withUnsafeBufferPointer { a in
      y.withUnsafeBufferPointer { b in
        guard let a = a.baseAddress, let b = b.baseAddress else { return false }
        return hsq_sums_of_squares(a, b, Int64(x.count), &norm, &distance) != 0
      }
    }
    return fast ? (norm, distance) : portableSquaredNormAndDistance(x, y)
  }

  /// (‖x‖², ‖y − x‖², x − y) in one pass over x and y: each the same bits as ``squaredNormAndDistance(_:_:)``
  /// and ``difference(_:_:)`` (the error-feedback memory a worker keeps, with its error statistics).
  public static func squaredNormDistanceAndDifference(_ x: [Float], _ y: [Float]) -> (norm: Double, distance: Double, difference: [Float]) {
    precondition(x.count == y.count, "distance between vectors of different lengths")
    var norm = 0.0, distance = 0.0
    var fused = false
    let difference = [Float](unsafeUninitializedCapacity: x.count) { out, count in
      x.withUnsafeBufferPointer { a in
        y.withUnsafeBufferPointer { b in
          guard let pa = a.baseAddress, let pb = b.baseAddress, let po = out.baseAddress else { return }
          fused = hsq_sums_of_squares_and_difference(pa, pb, Int64(a.count), &norm, &distance, po) != 0
        }
      }
      count = fused ? x.count : 0
    }
    guard fused else {
      let (norm, distance) = squaredNormAndDistance(x, y)
      return (norm, distance, Self.difference(x, y))
    }
    return (norm, distance, difference)
  }

  /// ``squaredNormAndDistance(_:_:)`` in Swift (the reference the C kernel matches).
  @inlinable
  public static func portableSquaredNormAndDistance(_ x: [Float], _ y: [Float]) -> (norm: Double, distance: Double) {
    precondition(x.count == y.count, "distance between vectors of different lengths")
    return x.withUnsafeBufferPointer { a in
      y.withUnsafeBufferPointer { b in
        let n = a.count
        var n0 = SIMD8<Double>(), n1 = SIMD8<Double>(), d0 = SIMD8<Double>(), d1 = SIMD8<Double>()
        var i = 0
        while i + 16 <= n {
          let x0 = load8(a, i), x1 = load8(a, i + 8)
          let e0 = load8(b, i) - x0, e1 = load8(b, i + 8) - x1
          n0 += x0 * x0
          n1 += x1 * x1
          d0 += e0 * e0
          d1 += e1 * e1
          i += 16
        }
        var norm = (n0 + n1).sum(), distance = (d0 + d1).sum()
        while i < n {
          norm += Double(a[i]) * Double(a[i])
          let e = Double(b[i]) - Double(a[i])
          distance += e * e
          i += 1
        }
        return (norm, distance)
      }
    }
  }

  /// y ← y + αx.
  public static func axpy(_ alpha: Float, _ x: [Float], _ y: inout [Float]) {
    precondition(x.count == y.count, "axpy of vectors of different lengths")
    x.withUnsafeBufferPointer { a in
      y.withUnsafeMutableBufferPointer { b in
        guard let pa = a.baseAddress, let pb = b.baseAddress, hsq_axpy(alpha, pa, pb, Int64(a.count)) != 0 else {
          for i in 0..<a.count { b[i] += alpha * a[i] }
          return
        }
      }
    }
  }

  /// y + αx in a new array, each product and sum rounded separately: ``axpy(_:_:_:)`` on a copy of y, in one pass.
  public static func sum(_ y: [Float], plus alpha: Float, times x: [Float]) -> [Float] {
    precondition(x.count == y.count, "axpy of vectors of different lengths")
    return [Float](unsafeUninitializedCapacity: x.count) { out, count in
      x.withUnsafeBufferPointer { a in
        y.withUnsafeBufferPointer { b in
          guard let pa = a.baseAddress, let pb = b.baseAddress, let po = out.baseAddress,
            hsq_axpy_to(alpha, pa, pb, po, Int64(a.count)) != 0
          else {
            for i in 0..<a.count { out[i] = b[i] + alpha * a[i] }
            return
          }
        }
      }
      count = x.count
    }
  }

  /// x − y, element by element.
  public static func difference(_ x: [Float], _ y: [Float]) -> [Float] {
    precondition(x.count == y.count, "difference of vectors of different lengths")
    return [Float](unsafeUninitializedCapacity: x.count) { out, count in
      x.withUnsafeBufferPointer { a in
        y.withUnsafeBufferPointer { b in
          guard let pa = a.baseAddress, let pb = b.baseAddress, let po = out.baseAddress,
            hsq_difference(pa, pb, po, Int64(a.count)) != 0
          else {
            for i in 0..<a.count { out[i] = a[i] - b[i] }
            return
          }
        }
      }
      count = x.count
    }
  }

  /// x ← αx.
  @inlinable
  public static func scale(_ x: inout [Float], by alpha: Float) {
    x.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] *= alpha }
    }
  }

  /// The index of the first non-finite entry, or `nil` when all are finite: with AVX-512 one pass over the
  /// exponent bits (hsq_first_non_finite), else ``portableFirstNonFinite(_:)``.
  public static func firstNonFinite(_ x: UnsafeBufferPointer<Float>) -> Int? {
    var index: Int64 = -1
    if let base = x.baseAddress, hsq_first_non_finite(base, Int64(x.count), &index) != 0 { return index < 0 ? nil : Int(index) }
    return portableFirstNonFinite(x)
  }

  /// ``firstNonFinite(_:)`` in Swift (the reference its kernel is tested against). A fast pass first: Σ xᵢ·0 is
  /// NaN iff some entry is NaN or infinite.
  @inlinable
  public static func portableFirstNonFinite(_ x: UnsafeBufferPointer<Float>) -> Int? {
    // x·0 is 0 for finite x and NaN otherwise; four SIMD accumulators keep the adds independent.
    var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
    let n = x.count
    var i = 0
    while i + 64 <= n {
      a0 += load16(x, i) * 0; a1 += load16(x, i + 16) * 0
      a2 += load16(x, i + 32) * 0; a3 += load16(x, i + 48) * 0
      i += 64
    }
    var probe = ((a0 + a1) + (a2 + a3)).sum()
    while i < n { probe += x[i] * 0; i += 1 }
    if probe == 0 { return nil }
    for (i, v) in x.enumerated() where !v.isFinite { return i }
    return nil
  }

  /// Copies the bytes of `x` to `target` (4·count bytes, native order) and returns
  /// whether every entry is finite: ``firstNonFinite(_:)``'s test fused with the copy,
  /// one pass over memory instead of two (``hsq_copy_checking_finite``, else ``portableCopyCheckingFinite(_:to:)``).
  public static func copyCheckingFinite(_ x: UnsafeBufferPointer<Float>, to target: UnsafeMutableRawPointer) -> Bool {
    var finite: Int32 = 0
    if let base = x.baseAddress, hsq_copy_checking_finite(base, Int64(x.count), target, &finite) != 0 { return finite != 0 }
    return portableCopyCheckingFinite(x, to: target)
  }

  /// ``copyCheckingFinite(_:to:)`` in Swift.
  @inlinable
  public static func portableCopyCheckingFinite(_ x: UnsafeBufferPointer<Float>, to target: UnsafeMutableRawPointer) -> Bool {
    var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
    let n = x.count
    var i = 0
    while i + 32 <= n {
      let v0 = load16(x, i), v1 = load16(x, i + 16)
      (target + 4 * i).storeBytes(of: v0, as: SIMD16<Float>.self)
      (target + 4 * (i + 16)).storeBytes(of: v1, as: SIMD16<Float>.self)
      a0 += v0 * 0
      a1 += v1 * 0
      i += 32
    }
    var probe = (a0 + a1).sum()
    while i < n {
      (target + 4 * i).storeBytes(of: x[i], as: Float.self)
      probe += x[i] * 0
      i += 1
    }
    return probe == 0
  }

  /// Throws ``HSQError/nonFinite(what:index:value:)`` when `x` has a NaN or infinite entry.
  @inlinable
  public static func requireFinite(_ x: [Float], what: String = "The vector") throws {
    try x.withUnsafeBufferPointer { p in
      if let i = firstNonFinite(p) { throw HSQError.nonFinite(what: what, index: i, value: p[i]) }
    }
  }
}
