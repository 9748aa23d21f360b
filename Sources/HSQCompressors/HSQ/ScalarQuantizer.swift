import CKernels
import HSQCore

/// The HSQ authors' n-bit stochastic quantizer for the scalars of a layer, or plain float32.
///
/// ```
/// s = 2ⁿ, lo = min u, hi = max u, Δ = (hi − lo)/s
/// xⱼ = (uⱼ − lo)/Δ,  lⱼ = min(⌊xⱼ⌋, s − 1),  pⱼ = xⱼ − lⱼ
/// uⱼ' = lo + Δ·(lⱼ + Bernoulli(pⱼ))
/// ```
///
/// **Properties** (THEORY.md §4): unbiased given the scalars; exact variance
/// Δ²Σⱼ pⱼ(1 − pⱼ) ≤ MΔ²/4. The levels run 0…2ⁿ — that is 2ⁿ + 1 values — so
/// each scalar takes n + 1 bits, plus 64 bits per layer for (lo, hi).
/// With `bits = 32` the scalars travel as float32 and nothing is added.
public struct ScalarQuantizer: Sendable, Hashable {
  /// n, or 32 for float32.
  public let bits: Int

  /// - Parameter bits: 1…16, or 32 for float32.
  public init(bits: Int) {
    precondition((1...16).contains(bits) || bits == 32, "scalar bits must be 1...16 or 32")
    self.bits = bits
  }

  public var isExact: Bool { bits == 32 }

  /// Bits per scalar on the wire: n + 1 (for 2ⁿ + 1 levels), or 32.
  public var bitsPerScalar: Int { isExact ? 32 : bits + 1 }

  /// Bits for a layer of `count` scalars, header included.
  public func totalBits(count: Int) -> Int {
    isExact ? 32 * count : (count > 0 ? 64 : 0) + count * bitsPerScalar
  }

  /// The step Δ = (hi − lo)/2ⁿ for these scalars (0 for float32).
  func step(lo: Float, hi: Float) -> Double {
    isExact ? 0 : (Double(hi) - Double(lo)) / Double(1 << bits)
  }

  /// The range (lo, hi) of `u`.
  static func range(_ u: UnsafeBufferPointer<Float>) -> (lo: Float, hi: Float) {
    var lo: Float = 0, hi: Float = 0
    if let base = u.baseAddress, hsq_range(base, Int64(u.count), &lo, &hi) != 0 { return (lo, hi) }
    return portableRange(u)
  }

  /// ``range(_:)`` in Swift, the loop its kernel (hsq_range) gives bit for bit.
  static func portableRange(_ u: UnsafeBufferPointer<Float>) -> (lo: Float, hi: Float) {
    guard var lo = u.first else { return (0, 0) }
    var hi = lo
    for x in u { lo = min(lo, x); hi = max(hi, x) }
    return (lo, hi)
  }

  /// Writes the header (lo, hi) and returns the per-scalar levels: call ``write(level:of:into:)`` for each.
  ///
  /// Quantizes all of `u` at once, drawing one uniform per scalar from `rng` in order.
  public func quantize(_ u: UnsafeBufferPointer<Float>, into writer: inout BitWriter, rng: inout RandomStream) -> [UInt32] {
    quantizeInRange(u, into: &writer, rng: &rng).levels
  }

  /// ``quantize(_:into:rng:)``, with (lo, Δ) as a decoder's ``readHeader(_:count:)`` reads them from the header
  /// it wrote ((0, 0) for float32 scalars or none).
  func quantizeInRange(_ u: UnsafeBufferPointer<Float>, into writer: inout BitWriter, rng: inout RandomStream)
    -> (levels: [UInt32], lo: Float, delta: Float)
  {
    if isExact { return (u.map(\.bitPattern), 0, 0) }
    guard !u.isEmpty else { return ([], 0, 0) }
    let (lo, hi) = Self.range(u)
    writer.write(lo)
    writer.write(hi)
    let s = 1 << bits
    let delta = Float(step(lo: lo, hi: hi))
    var levels = [UInt32](repeating: 0, count: u.count)
    guard hi > lo else { return (levels, lo, delta) }
    let scale = Double(s) / (Double(hi) - Double(lo))
    let dlo = Double(lo)
    // The draws first (the stream's order), then the levels eight at a time in C where the CPU allows.
    var stream = rng  // advanced here, written back: the loop does not reach `rng` through the closure
    let draws = [Float](unsafeUninitializedCapacity: u.count) { buffer, count in
      for j in 0..<u.count { buffer[j] = stream.uniformFloat() }
      count = u.count
    }
    rng = stream
    let done = draws.withUnsafeBufferPointer { d in
      levels.withUnsafeMutableBufferPointer { out in
        hsq_quantize_levels(u.baseAddress!, d.baseAddress!, Int64(u.count), dlo, scale, Int32(s), out.baseAddress!) != 0
      }
    }
    if !done { Self.levels(u, draws: draws, lo: dlo, scale: scale, top: s - 1, into: &levels) }
    return (levels, lo, delta)
  }

  /// ``value(level:lo:delta:)`` of every level, in a loop the compiler vectorizes. Every level is at most 2ⁿ ≤ 2¹⁶
  /// (the decoder checks it first), so it converts to the same float through Int32 as through UInt32.
  public func values(levels: [UInt32], lo: Float, delta: Float) -> [Float] {
    guard !isExact else { return levels.map { Float(bitPattern: $0) } }
    return [Float](unsafeUninitializedCapacity: levels.count) { out, count in
      levels.withUnsafeBufferPointer { level in
        for j in 0..<level.count { out[j] = lo + Float(Int32(bitPattern: level[j])) * delta }
      }
      count = levels.count
    }
  }

  /// lⱼ + Bernoulli(pⱼ) with the Bernoulli draws given: the Swift form of `hsq_quantize_levels`.
  static func levels(_ u: UnsafeBufferPointer<Float>, draws: [Float], lo: Double, scale: Double, top: Int, into levels: inout [UInt32]) {
    for j in 0..<u.count {
      let x = (Double(u[j]) - lo) * scale
      let l = min(Int(x), top)
      let p = x - Double(l)
      levels[j] = UInt32(l + (Double(draws[j]) < p ? 1 : 0))
    }
  }

  /// Reads the header written by ``quantize(_:into:rng:)``.
  public func readHeader(_ reader: inout BitReader, count: Int) throws -> (lo: Float, delta: Float) {
    guard !isExact, count > 0 else { return (0, 0) }
    let lo = try reader.readFloat()
    let hi = try reader.readFloat()
    guard lo.isFinite, hi.isFinite, hi >= lo else {
      throw HSQError.malformedPayload("scalar range [\(lo), \(hi)] is not a finite interval.")
    }
    return (lo, Float(step(lo: lo, hi: hi)))
  }

  /// The scalar for a level read from the wire.
  @inlinable
  public func value(level: UInt32, lo: Float, delta: Float) -> Float {
    isExact ? Float(bitPattern: level) : lo + Float(level) * delta
  }

  /// Δ²Σⱼ pⱼ(1 − pⱼ): the exact variance the rounding adds (0 for float32).
  public func variance(_ u: UnsafeBufferPointer<Float>) -> Double {
    variances(u).reduce(0, +)
  }

  /// Δ²pⱼ(1 − pⱼ) for each scalar: the variance rounding adds to it (all 0 for float32).
  public func variances(_ u: UnsafeBufferPointer<Float>) -> [Double] {
    guard !isExact, !u.isEmpty else { return [Double](repeating: 0, count: u.count) }
    let (lo, hi) = Self.range(u)
    guard hi > lo else { return [Double](repeating: 0, count: u.count) }
    let delta = step(lo: lo, hi: hi)
    return u.map { x in
      let t = (Double(x) - Double(lo)) / delta
      let l = min(t.rounded(.down), Double((1 << bits) - 1))
      let p = t - l
      return delta * delta * p * (1 - p)
    }
  }

  /// MΔ²/4: the largest variance the rounding can add to these scalars.
  public func varianceBound(_ u: UnsafeBufferPointer<Float>) -> Double {
    guard !isExact, !u.isEmpty else { return 0 }
    let (lo, hi) = Self.range(u)
    let delta = step(lo: lo, hi: hi)
    return Double(u.count) * delta * delta / 4
  }
}
