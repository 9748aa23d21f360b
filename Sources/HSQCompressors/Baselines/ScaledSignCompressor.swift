import HSQCore

/// Sends the signs and one scale, the mean magnitude: Q(v) = (‖v‖₁/d)·sign(v) (EF-SignSGD).
///
/// ```
/// α = ‖v‖₁/d rounded to float32
/// Q(v)_i = α if v_i ≥ 0 (zero included), −α if v_i < 0
/// payload: α as float32, then bit i = 1 when v_i < 0
/// ```
///
/// α is the least-squares scale for the signs, so the error is the ℓ2 loss of
/// projecting v on sign(v): ‖v‖² − ‖v‖₁²/d. sign(0) = +1 (a zero coordinate costs α²).
///
/// **Properties**
/// - biased, deterministic;
/// - exact error ‖Q(v) − v‖² = ‖v‖² − ‖v‖₁²/d (plus d·(α − ‖v‖₁/d)² from rounding α);
///   per vector δ(v) = ‖v‖₁²/(d‖v‖²) ∈ [1/d, 1];
/// - δ-contraction with δ = 1/d − 2⁻⁴⁸ in the worst case (a single spike); the 2⁻⁴⁸ pays
///   for rounding α to float32, d·(α' − α)² ≤ 2⁻⁴⁸‖v‖₁²/d ≤ 2⁻⁴⁸‖v‖²
///   (valid while ‖v‖₁/d is not a float32 subnormal, below 2⁻¹²⁶);
/// - fixed size: d + 32 bits.
///
/// No parameters.
///
/// Reference: Karimireddy et al., Error Feedback Fixes SignSGD, ICML 2019.
public struct ScaledSignCompressor: CompressorComponent {
  public static let info = ComponentInfo(kind: .compressor, name: "scaled-sign")

  public init() {}
  public init(_ parameters: ParameterValues) throws {}

  public var spec: String { "scaled-sign" }
  public var properties: CompressorProperties { .init(isUnbiased: false, isFixedSize: true, isDeterministic: true) }

  public func guarantee(length d: Int) -> Guarantee {
    d <= 1 ? .contraction(delta: 1) : .contraction(delta: 1 / Double(d) - 0x1p-48)
  }

  public func bits(length d: Int) -> Int? { d + 32 }
  public var bitsFormula: String { "d + 32" }

  /// α = ‖v‖₁/d as sent.
  static func scale(_ v: [Float]) -> Float {
    v.isEmpty ? 0 : Float(Vec.norm1(v) / Double(v.count))
  }

  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    try Vec.requireFinite(v, what: "The input to 'scaled-sign'")
    let alpha = Self.scale(v)
    return v.withUnsafeBufferPointer { vp in
      Payload.packing(bitCount: vp.count + 32) { packer in
        packer.put(alpha)
        BaselineBits.Signs.put(vp, into: &packer)
      }
    }
  }

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    try requireBits(payload, d + 32, spec, length: d)
    return try payload.unpacking { reader in
      let alpha = reader.takeFloat()
      guard alpha.isFinite, alpha.sign == .plus else {
        throw HSQError.malformedPayload("a 'scaled-sign' payload has scale \(alpha); the scale is finite and non-negative.")
      }
      return BaselineBits.Signs.take(d, magnitude: alpha, from: &reader)
    }
  }

  public func expectedError(_ v: [Float]) -> Double? {
    guard v.allSatisfy(\.isFinite) else { return nil }
    let alpha = Double(Self.scale(v))
    var sum = 0.0
    for x in v {
      let diff = (x < 0 ? -alpha : alpha) - Double(x)
      sum += diff * diff
    }
    return sum
  }
}
