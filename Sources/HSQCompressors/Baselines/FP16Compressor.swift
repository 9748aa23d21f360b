import HSQCore

/// Sends every value as an IEEE 754 half-precision float, rounded to nearest (ties to even).
///
/// ```
/// scale=pow2 (default):  e = ⌊log₂ max_i |v_i|⌋ − 14          (16-bit header; e = 0 for v = 0)
///                        h_i = fp16(v_i·2^−e),  Q(v)_i = h_i·2^e
/// scale=none:            h_i = fp16(v_i),       Q(v)_i = h_i
///                        (|v_i| ≥ 65520 would round to ∞ and is rejected)
/// ```
///
/// The power-of-two scale puts the largest magnitude in [2^14, 2^15): nothing overflows,
/// multiplying by 2^±e is exact, and every entry above 2^−14 of that range keeps the
/// normal-range rounding error |fp16(y) − y| ≤ 2⁻¹¹|y|/(1 + 2⁻¹¹). Entries below it
/// (fp16 subnormals, more than 2^28 times smaller than the largest) err by at most 2⁻²⁵
/// in scaled units, and the sum of those is absorbed by the (1 + 2⁻¹¹)⁻² slack while
/// d ≤ 2^45. Without the scale, entries below 2⁻²⁵ round to 0, so a vector of them is
/// lost entirely: plain fp16 has no worst-case δ.
///
/// **Properties**
/// - biased (rounding to nearest), deterministic;
/// - scale=pow2: δ-contraction with δ = 1 − 2⁻²² for every v (d ≤ 2^45); 16·d + 16 bits;
/// - scale=none: no worst-case δ; per vector
///   ‖Q(v) − v‖² ≤ Σ_i min(v_i², max(2⁻²²·v_i², 2⁻⁵⁰)); 16·d bits;
/// - exact error ‖Q(v) − v‖² (deterministic).
///
/// **Parameters**
/// - `scale` (`pow2` or `none`, default `pow2`): a shared power-of-two scale, or a plain cast.
///
/// Reference: IEEE 754-2008 binary16; Higham, Accuracy and Stability of Numerical Algorithms, §2.2.
public struct FP16Compressor: CompressorComponent {
  /// Whether values are scaled by a shared power of two before the cast.
  public enum Scale: String, NamedChoice {
    case pow2
    case none
  }

  public static let info = ComponentInfo(
    kind: .compressor, name: "fp16",
    parameters: [
      .choice("scale", Scale.self, default: .pow2,
              doc: "pow2: a shared power-of-two scale (no overflow, δ = 1 − 2⁻²²); none: a plain cast."),
    ])

  public let scale: Scale

  public init(scale: Scale = .pow2) { self.scale = scale }

  public init(_ parameters: ParameterValues) throws {
    self.init(scale: parameters.choice("scale"))
  }

  public var spec: String { "fp16:scale=\(scale.rawValue)" }
  public var properties: CompressorProperties { .init(isUnbiased: false, isFixedSize: true, isDeterministic: true) }

  public func guarantee(length d: Int) -> Guarantee {
    switch scale {
    case .pow2:
      // Past 2^45 coordinates the subnormal terms are no longer absorbed: add them.
      let extra = d <= 1 << 45 ? 0 : Double(d) * 0x1p-78
      return .contraction(delta: 1 - 0x1p-22 - extra)
    case .none:
      return .none
    }
  }

  public func bits(length d: Int) -> Int? { scale == .pow2 ? 16 * d + 16 : 16 * d }
  public var bitsFormula: String { scale == .pow2 ? "16·d + 16" : "16·d" }

  /// The exponent e of the shared scale 2^e (0 for the zero vector).
  static func exponent(_ maxAbs: Float) -> Int {
    maxAbs == 0 ? 0 : Int(maxAbs.exponent) - 14
  }

  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    try Vec.requireFinite(v, what: "The input to 'fp16'")
    let d = v.count
    switch scale {
    case .pow2:
      let e = Self.exponent(Vec.normInf(v))
      return v.withUnsafeBufferPointer { vp in
        Self.payload(header: UInt16(bitPattern: Int16(e)), count: d) { out in
          if e >= -126 && e <= 126 {
            Self.halves(vp, scale: Float(sign: .plus, exponent: -e, significand: 1), into: out)
          } else {
            for i in 0..<d { out[i] = Self.half(vp[i], exponent: e).bitPattern }
          }
        }
      }
    case .none:
      return try v.withUnsafeBufferPointer { vp in
        try Self.payload(header: nil, count: d) { out in
          Self.halves(vp, scale: 1, into: out)
          for i in 0..<d where !Float16(bitPattern: out[i]).isFinite {
            let x = vp[i]
            throw HSQError.invalidArgument(
              "The input to 'fp16:scale=none' has \(x) at index \(i), beyond float16's largest value 65504; use 'fp16' (scale=pow2) or scale the vector down.")
          }
        }
      }
    }
  }

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    try requireBits(payload, bits(length: d)!, spec, length: d)
    var up = 1.0
    if scale == .pow2 {
      let e = Int(Int16(bitPattern: UInt16(payload.bytes[0]) | UInt16(payload.bytes[1]) << 8))
      guard (-163...113).contains(e) else {
        throw HSQError.malformedPayload("an 'fp16' payload has scale exponent \(e); float32 inputs give -163...113.")
      }
      up = Double(sign: .plus, exponent: e, significand: 1)
    }
    return try Self.withHalves(payload, skip: scale == .pow2 ? 1 : 0) { halves in
      var finite = true
      let out = [Float](unsafeUninitializedCapacity: d) { buffer, initialized in
        if let base = buffer.baseAddress { finite = Self.floats(fromHalves: halves, d, scale: up, into: base) }
        initialized = d
      }
      guard finite else { throw HSQError.malformedPayload("an 'fp16' payload holds an infinite or NaN half.") }
      return out
    }
  }

  /// fp16(x·2^−e), rounded once.
  ///
  /// In Float32 when 2^−e is a normal float: x·2^−e is then exact unless it falls below
  /// 2⁻¹²⁶, where fp16 gives 0 either way. Otherwise through Double (also exact).
  @inline(__always)
  static func half(_ x: Float, exponent e: Int) -> Float16 {
    if e >= -126 && e <= 126 { return Float16(x * Float(sign: .plus, exponent: -e, significand: 1)) }
    return Float16(Double(x) * Double(sign: .plus, exponent: -e, significand: 1))
  }

  /// Float(h)·2^e, saturated to the float32 range. Exact otherwise: fp16(x·2^−e)·2^e lies on
  /// float32's grid wherever x does.
  @inline(__always)
  static func unscaled(_ h: Float16, exponent e: Int) -> Float {
    saturated(Double(h) * Double(sign: .plus, exponent: e, significand: 1))
  }

  /// `x` as a Float32, clamped to the finite range (only the top binade can round past it).
  static func saturated(_ x: Double) -> Float {
    let f = Float(x)
    return f.isFinite ? f : (x > 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude)
  }

  /// The value the receiver gets for `x`.
  func roundTrip(_ x: Float, exponent e: Int) -> Float {
    switch scale {
    case .pow2:
      return Self.unscaled(Self.half(x, exponent: e), exponent: e)
    case .none:
      return Float(Float16(x))
    }
  }

  /// The exact error ‖Q(v) − v‖² (Q is deterministic); `nil` when `v` cannot be encoded.
  public func expectedError(_ v: [Float]) -> Double? {
    guard v.allSatisfy(\.isFinite) else { return nil }
    if scale == .none, v.contains(where: { !Float16($0).isFinite }) { return nil }
    let e = Self.exponent(Vec.normInf(v))
    var sum = 0.0
    for x in v {
      let diff = Double(roundTrip(x, exponent: e)) - Double(x)
      sum += diff * diff
    }
    return sum
  }

  public func errorBound(_ v: [Float]) -> Double? {
    switch scale {
    case .pow2:
      return guarantee(length: v.count).relativeErrorBound.map { $0 * Vec.squaredNorm(v) }
    case .none:
      var sum = 0.0
      for x in v {
        let s = Double(x) * Double(x)
        sum += min(s, max(0x1p-22 * s, 0x1p-50))
      }
      return sum
    }
  }
}
