import HSQCore

/// Sends only the sign of every coordinate, one bit each, and decodes it as ±1 (signSGD).
///
/// ```
/// Q(v)_i = +1 if v_i ≥ 0 (zero included), −1 if v_i < 0
/// payload: bit i = 1 when v_i < 0
/// ```
///
/// The output ignores the scale of v, so no ω or δ holds: signSGD is meant for a
/// majority vote or a learning rate that absorbs the scale. Use `scaled-sign` for the
/// error-feedback variant with a scale.
///
/// **Properties**
/// - biased, deterministic; no ω or δ guarantee;
/// - exact error ‖Q(v) − v‖² = Σ_i (1 − |v_i|)² (sign(0) = +1, so a zero costs 1);
/// - fixed size: d bits.
///
/// No parameters.
///
/// Reference: Bernstein et al., signSGD, ICML 2018.
public struct SignSGDCompressor: CompressorComponent {
  public static let info = ComponentInfo(kind: .compressor, name: "signsgd")

  public init() {}
  public init(_ parameters: ParameterValues) throws {}

  public var spec: String { "signsgd" }
  public var properties: CompressorProperties { .init(isUnbiased: false, isFixedSize: true, isDeterministic: true) }
  public func guarantee(length d: Int) -> Guarantee { .none }
  public func bits(length d: Int) -> Int? { d }
  public var bitsFormula: String { "d" }

  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    try Vec.requireFinite(v, what: "The input to 'signsgd'")
    return v.withUnsafeBufferPointer { vp in
      Payload.packing(bitCount: vp.count) { packer in BaselineBits.Signs.put(vp, into: &packer) }
    }
  }

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    try requireBits(payload, d, spec, length: d)
    return payload.unpacking { reader in BaselineBits.Signs.take(d, magnitude: 1, from: &reader) }
  }

  public func expectedError(_ v: [Float]) -> Double? {
    guard v.allSatisfy(\.isFinite) else { return nil }
    var sum = 0.0
    for x in v {
      let diff = (x < 0 ? -1.0 : 1.0) - Double(x)
      sum += diff * diff
    }
    return sum
  }

  public func errorBound(_ v: [Float]) -> Double? { nil }
}
