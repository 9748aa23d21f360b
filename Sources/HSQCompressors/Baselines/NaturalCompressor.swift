import CKernels
import HSQCore

/// Rounds every magnitude to one of its two neighbouring powers of two, at random and unbiased.
///
/// ```
/// |v_i| ∈ [2^a, 2^(a+1)):   Q(v)_i = sign(v_i)·2^(a+1) with probability p_i = |v_i|/2^a − 1,
///                           sign(v_i)·2^a otherwise;   Q(v)_i = 0 when v_i = 0
/// payload: per coordinate a sign bit and an 8-bit exponent field E
///          (E = 0: zero; E = 1…255: 2^(E − 150), i.e. 2⁻¹⁴⁹ … 2¹⁰⁵)
/// ```
///
/// p_i is the float32 mantissa m over 2²³, so the coin is an exact integer comparison of a
/// uniform 23-bit draw with m: the probabilities carry no rounding. The exponent window
/// starts at float32's smallest subnormal, so subnormals are rounded the same way; it ends
/// at 2¹⁰⁵, so entries with |v_i| ≥ 2¹⁰⁵ ≈ 4.1e31 are rejected.
///
/// **Properties**
/// - unbiased: 2^a(1 − p) + 2^(a+1)p = |v_i|;
/// - exact variance: E‖Q(v) − v‖² = Σ_i 4^{a_i}·p_i(1 − p_i);
/// - ω = 1/8, attained at |v_i|/2^a = 4/3 (p(1 − p)/(1 + p)² is largest at p = 1/3);
/// - fixed size: 9·d bits.
///
/// No parameters.
///
/// Reference: Horváth et al., Natural Compression for Distributed Deep Learning, arXiv 1905.10988.
public struct NaturalCompressor: CompressorComponent {
  public static let info = ComponentInfo(kind: .compressor, name: "natural")

  /// The most the per-coordinate kernel may use (tests compare the paths).
  let level: hsq_kernel_level

  public init() { level = HSQ_KERNELS_AUTO }
  public init(_ parameters: ParameterValues) throws { level = HSQ_KERNELS_AUTO }
  init(level: hsq_kernel_level) { self.level = level }

  public var spec: String { "natural" }
  public var properties: CompressorProperties { .init(isUnbiased: true, isFixedSize: true, isDeterministic: false) }
  public func guarantee(length d: Int) -> Guarantee { .unbiased(omega: 1.0 / 8) }
  public func bits(length d: Int) -> Int? { 9 * d }
  public var bitsFormula: String { "9·d" }

  /// Magnitudes from 2^105 up cannot round up inside the exponent window.
  static let limit: Float = 0x1p105

  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    try Vec.requireFinite(v, what: "The input to 'natural'")
    if let i = v.firstIndex(where: { abs($0) >= Self.limit }) {
      throw HSQError.invalidArgument(
        "The input to 'natural' has \(v[i]) at index \(i); its 8-bit exponents reach 2^105 (about 4.1e31), so scale the vector down.")
    }
    var uniforms = BaselineBits.Uniform23(rng, level: level)
    defer { rng = uniforms.rng }
    return v.withUnsafeBufferPointer { vp in
      withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 2 * Self.chunk) { buffer in
        // Separate draws and codes: the kernel's loop vectorizes only when they do not overlap.
        let draws = buffer.baseAddress!, codes = buffer.baseAddress! + Self.chunk
        return Payload.packing(bitCount: 9 * vp.count) { packer in
          var start = 0
          while start < vp.count {
            let n = min(Self.chunk, vp.count - start)
            uniforms.fill(draws, n)
            hsq_natural_codes(vp.baseAddress! + start, draws, Int64(n), codes, level)
            packer.put(codes: codes, n, bits: 9)
            start += n
          }
        }
      }
    }
  }

  /// Coordinates coded per kernel call (a multiple of 8: each chunk's codes fill whole bytes, ``BitPacker/put(codes:_:bits:level:)``).
  static let chunk = 4096

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    try requireBits(payload, 9 * d, spec, length: d)
    return payload.unpacking { reader in
      withUnsafeTemporaryAllocation(of: UInt32.self, capacity: Self.chunk) { codes in
        [Float](unsafeUninitializedCapacity: d) { buffer, initialized in
          var start = 0
          while start < d {
            let n = min(Self.chunk, d - start)
            reader.take(codes: codes.baseAddress!, n, bits: 9)
            hsq_natural_values(codes.baseAddress!, Int64(n), buffer.baseAddress! + start, level)
            start += n
          }
          initialized = d
        }
      }
    }
  }

  public func expectedError(_ v: [Float]) -> Double? {
    guard v.allSatisfy({ $0.isFinite && abs($0) < Self.limit }) else { return nil }
    var sum = 0.0
    for x in v where x != 0 {
      let low = Double(sign: .plus, exponent: Int(abs(x).exponent), significand: 1)
      let p = Double(abs(x)) / low - 1
      sum += low * low * p * (1 - p)
    }
    return sum
  }
}
