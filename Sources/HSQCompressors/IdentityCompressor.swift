import HSQCore

/// Sends every value as a float32: no compression, the baseline for bit counts.
///
/// ```
/// Q(v) = v
/// ```
///
/// **Properties:** unbiased, ω = 0; deterministic; 32·d bits.
public struct IdentityCompressor: CompressorComponent {
  public static let info = ComponentInfo(kind: .compressor, name: "identity")

  public init(_ parameters: ParameterValues) throws {}
  public init() {}

  public var spec: String { "identity" }
  public var properties: CompressorProperties { .init(isUnbiased: true, isFixedSize: true, isDeterministic: true) }
  public func guarantee(length d: Int) -> Guarantee { .unbiased(omega: 0) }
  public func bits(length d: Int) -> Int? { 32 * d }
  public var bitsFormula: String { "32·d" }
  /// The payload is the input's float32 bit patterns: decoding gives the input back bit for bit.
  public var decodesToInput: Bool { true }

  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    // Little-endian float32 bit patterns, packed exactly as a BitWriter would; the finiteness check rides along with the copy.
    var finite = true
    let bytes = v.withUnsafeBufferPointer { p in
      [UInt8](unsafeUninitializedCapacity: 4 * p.count) { out, count in
        guard let target = out.baseAddress, !p.isEmpty else {
          count = 0
          return
        }
        if UInt32(1).littleEndian == 1 {
          finite = Vec.copyCheckingFinite(p, to: UnsafeMutableRawPointer(target))
        } else {
          for (i, x) in p.enumerated() { (UnsafeMutableRawPointer(target) + 4 * i).storeBytes(of: x.bitPattern.littleEndian, as: UInt32.self) }
        }
        count = 4 * p.count
      }
    }
    if !finite || UInt32(1).littleEndian != 1 { try Vec.requireFinite(v, what: "The input to 'identity'") }
    return Payload(bytes: bytes, bitCount: 32 * v.count)
  }

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    try requireBits(payload, 32 * d, spec, length: d)
    return payload.bytes.withUnsafeBytes { raw in
      [Float](unsafeUninitializedCapacity: d) { out, count in
        if UInt32(1).littleEndian == 1 {
          UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: raw.baseAddress!, byteCount: 4 * d)
        } else {
          for i in 0..<d { out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        }
        count = d
      }
    }
  }

  public func expectedError(_ v: [Float]) -> Double? { 0 }
}
