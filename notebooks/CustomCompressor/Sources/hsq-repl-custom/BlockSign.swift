import HSQ

/// Sends the signs of a block of coordinates and one scale per block, the block's mean magnitude.
///
/// For each block B of `block` coordinates (the last one may be shorter, of length b):
/// ```
/// s_B = ‖v_B‖₁ / b,   C(v)_i = s_B·sign(v_i)  (sign(0) = +1)
/// payload: per block s_B as float32, then one sign bit per coordinate
/// ```
/// - deterministic, biased;
/// - exact error: Σ_B (‖v_B‖² − ‖v_B‖₁²/b);
/// - δ-contraction with δ = 1/block: the energy kept, ‖v_B‖₁²/b, is at least ‖v_B‖²/b ≥ ‖v_B‖²/block
///   because ‖v_B‖₁ ≥ ‖v_B‖ (attained by a block with one nonzero coordinate);
/// - d + 32·⌈d/block⌉ bits. `block=d` is scaled-sign (EF-SignSGD); smaller blocks trade bits for δ.
public struct BlockSign: CompressorComponent {
  public static let info = ComponentInfo(
    kind: .compressor, name: "block-sign",
    summary: "Sends each block's signs and one scale, the block's mean magnitude (blockwise scaled sign).",
    doc: """
      s_B = ‖v_B‖₁/b per block of b ≤ block coordinates; C(v)_i = s_B·sign(v_i).
      Deterministic δ-contraction, δ = 1/block; exact error Σ_B (‖v_B‖² − ‖v_B‖₁²/b); d + 32·⌈d/block⌉ bits.
      """,
    parameters: [.int("block", 1...1 << 20, default: 64, doc: "coordinates per scale")])

  /// Coordinates per scale.
  public let block: Int

  public init(_ parameters: ParameterValues) throws { block = parameters.int("block") }

  public var spec: String { "block-sign:block=\(block)" }
  public var properties: CompressorProperties { .init(isUnbiased: false, isFixedSize: true, isDeterministic: true) }
  public func guarantee(length d: Int) -> Guarantee { .contraction(delta: 1 / Double(min(block, max(d, 1)))) }
  public func bits(length d: Int) -> Int? { d + 32 * ((d + block - 1) / block) }
  public var bitsFormula: String { "d + 32·⌈d/block⌉" }

  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    try Vec.requireFinite(v, what: "The input to 'block-sign'")
    var writer = BitWriter(reservingBits: bits(length: v.count) ?? 0)
    for start in stride(from: 0, to: v.count, by: block) {
      let part = v[start..<min(start + block, v.count)]
      writer.write(Float(part.reduce(0.0) { $0 + Double(abs($1)) } / Double(part.count)))
      for x in part { writer.write(x < 0) }
    }
    return writer.payload()
  }

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    guard payload.bitCount == bits(length: d) else {
      throw HSQError.malformedPayload("'\(spec)' expects \(bits(length: d) ?? 0) bits for length \(d), got \(payload.bitCount).")
    }
    var reader = BitReader(payload)
    var out: [Float] = []
    out.reserveCapacity(d)
    for start in stride(from: 0, to: d, by: block) {
      let scale = try reader.readFloat()
      guard scale.isFinite, scale >= 0 else { throw HSQError.malformedPayload("'\(spec)': block scale \(scale) is not a magnitude.") }
      for _ in start..<min(start + block, d) { out.append(try reader.readBool() ? -scale : scale) }
    }
    return out
  }

  public func expectedError(_ v: [Float]) -> Double? {
    guard v.allSatisfy(\.isFinite) else { return nil }
    return stride(from: 0, to: v.count, by: block).reduce(0.0) { sum, start in
      let part = v[start..<min(start + block, v.count)].map(Double.init)
      let scale = Double(Float(part.reduce(0) { $0 + abs($1) } / Double(part.count)))
      return sum + part.reduce(0) { $0 + ($1.magnitude - scale) * ($1.magnitude - scale) }
    }
  }
}

@_cdecl("hsq_register")
public func hsqRegister() {
  AddOnRegistration.run { try Compressors.register(BlockSign.self) }
}
