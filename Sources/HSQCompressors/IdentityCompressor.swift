import HSQCore

/// Sends every value as a float32: no compression, the baseline for bit counts.
///
/// ```
/// Q(v) = v
/// ```
///
/// **Properties:** unbiased, ω = 0; deterministic; 32·d bits.
public struct IdentityCompressor: CompressorComponent {
  public static let info = ComponentInfo(
    kind: .compressor, name: "identity",
    summary: "Sends every value as a float32: no compression, the baseline for bit counts.",
    doc: "Q(v) = v. Unbiased with ω = 0; deterministic; 32·d bits.")

  public init(_ parameters: ParameterValues) throws {}
  public init() {}

  public var spec: String { "identity" }
  public var properties: CompressorProperties { .init(isUnbiased: true, isFixedSize: true, isDeterministic: true) }
  public func guarantee(length d: Int) -> Guarantee { .unbiased(omega: 0) }
  public func bits(length d: Int) -> Int? { 32 * d }
  public var bitsFormula: String { "32·d" }

  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    try Vec.requireFinite(v, what: "The input to 'identity'")
    var writer = BitWriter(reservingBits: 32 * v.count)
    for x in v { writer.write(x) }
    return writer.payload()
  }

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    try requireBits(payload, 32 * d, spec, length: d)
    var reader = BitReader(payload)
    return try (0..<d).map { _ in try reader.readFloat() }
  }

  public func expectedError(_ v: [Float]) -> Double? { 0 }
}
