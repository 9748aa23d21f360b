import HSQCodebooks
import HSQCore

/// The O(log d) end of HSQ: the whole vector is one sub-vector, quantized against a randomized Hadamard basis.
///
/// ```
/// p = 2^⌈log₂d⌉, x = v zero-padded to p,  B = H·diag(s)/√p  (orthonormal, never stored)
/// a = Bᵀx  (one fast Walsh–Hadamard transform, O(p log p))
/// nn:       k = argmax |a_k|,                u = a_k
/// unbiased: k with probability |a_k|/‖a‖₁,   u = sign(a_k)·‖a‖₁
/// Q(v) = u·b_k restricted to the first d coordinates
/// ```
///
/// **Properties:** ⌈log₂p⌉ + 32 bits per vector, whatever d. Every codeword has
/// entries ±1/√p, so ‖b_k restricted to d‖² = d/p exactly, which gives:
/// `nn` error ‖v‖² − u²(2 − d/p), a contraction with δ = (2 − d/p)/p ≥ 1/p;
/// `unbiased` error E‖Q(v) − v‖² = ‖a‖₁²·d/p − ‖v‖², ω = d − 1 (THEORY.md §2, O(log d) end).
public struct HSQLogCompressor: CompressorComponent {
  /// Which coefficient is sent: the largest (`nn`, biased) or one sampled ∝ |a_k| (`unbiased`).
  public enum Mode: String, NamedChoice {
    case nn
    case unbiased
  }

  public static let info = ComponentInfo(
    kind: .compressor, name: "hsq-log",
    parameters: [
      .choice("mode", Mode.self, default: .nn, doc: "nn: the largest coefficient (biased); unbiased: one coefficient sampled ∝ |a_k|."),
      .int("seed", 0...Int(Int32.max), default: 0, doc: "Seed of the random signs s; both ends derive the basis from it."),
    ])

  public let isUnbiased: Bool
  public let seed: Int
  public let spec: String

  public init(_ parameters: ParameterValues) throws {
    isUnbiased = parameters.choice("mode", as: Mode.self) == .unbiased
    seed = parameters.int("seed")
    spec = parameters.canonical
  }

  static func paddedLength(_ d: Int) -> Int {
    d <= 1 ? 1 : 1 << (Int.bitWidth - (d - 1).leadingZeroBitCount)
  }

  public var properties: CompressorProperties {
    .init(isUnbiased: isUnbiased, isFixedSize: true, isDeterministic: !isUnbiased)
  }

  public func guarantee(length d: Int) -> Guarantee {
    let p = Double(Self.paddedLength(d))
    return isUnbiased ? .unbiased(omega: Double(max(d, 1) - 1)) : .contraction(delta: (2 - Double(d) / p) / p)
  }

  public func bits(length d: Int) -> Int? { bitsToIndex(Self.paddedLength(d)) + 32 }
  public var bitsFormula: String { "⌈log₂d⌉ + 32" }

  func basis(_ d: Int) throws -> RandomizedHadamardBasis {
    try RandomizedHadamardBasis(dimension: Self.paddedLength(d), seed: UInt64(seed))
  }

  /// The coefficients a = Bᵀx of `v` padded.
  func coefficients(_ v: [Float]) throws -> [Float] {
    try basis(v.count).coefficients(ofZeroPadded: v)
  }

  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    try Vec.requireFinite(v, what: "The input to 'hsq-log'")
    let a = try coefficients(v)
    var k = 0
    var u: Float = 0
    if isUnbiased {
      let norm1 = Vec.norm1(a)
      if norm1 > 0 {
        let r = rng.uniformDouble() * norm1
        var cumulative = 0.0
        for j in 0..<a.count where a[j] != 0 {
          cumulative += Double(abs(a[j]))
          k = j
          if cumulative > r { break }
        }
        u = Float(a[k] < 0 ? -norm1 : norm1)
      }
    } else {
      k = Self.largestMagnitudeIndex(a)
      u = a[k]
    }
    var writer = BitWriter(reservingBits: bits(length: v.count)!)
    writer.write(UInt32(k), bits: bitsToIndex(a.count))
    writer.write(u)
    return writer.payload()
  }

  /// The first index of the largest |a_j|, NaNs skipped (0 when there is none): the largest magnitude
  /// (``Vec/normInf(_:)``, which never takes a NaN), then the first entry with its bits (magnitudes up to ∞
  /// order as their bits do).
  static func largestMagnitudeIndex(_ a: [Float]) -> Int {
    let largest = Vec.normInf(a).bitPattern
    return a.withUnsafeBufferPointer { p in
      p.withMemoryRebound(to: UInt32.self) { bits in bits.firstIndex { $0 & 0x7FFF_FFFF == largest } ?? 0 }
    }
  }

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    try requireBits(payload, bits(length: d)!, spec, length: d)
    let p = Self.paddedLength(d)
    var reader = BitReader(payload)
    let k = Int(try reader.read(bits: bitsToIndex(p)))
    let u = try reader.readFloat()
    guard k < p, u.isFinite else { throw HSQError.malformedPayload("index \(k) or scalar \(u) is invalid for length \(d).") }
    return try basis(d).codewordPrefix(k, scaledBy: u, count: d)
  }

  /// `unbiased`: ω‖v‖² with ω = d − 1, plus the rounding of the Float transform. The sampled
  /// coefficients are a Float32 Walsh–Hadamard transform: log₂p butterfly levels, the signs and the
  /// 1/√p scaling each round by at most 2⁻²⁴ relative to ‖v‖, so ‖a‖₁ ≤ √p‖v‖(1 + ε) with
  /// ε = (log₂p + 2)·2⁻²⁴, and ‖a‖₁²·d/p − ‖v‖² ≤ (d − 1)‖v‖² + d(2ε + ε²)‖v‖². At v = a spike,
  /// the worst case, the exact value is attained and only this allowance covers the rounding.
  /// `nn`: (1 − δ)‖v‖².
  public func errorBound(_ v: [Float]) -> Double? {
    guard let bound = guarantee(length: v.count).relativeErrorBound else { return nil }
    let norm2 = Vec.squaredNorm(v)
    guard isUnbiased, !v.isEmpty else { return bound * norm2 }
    let epsilon = Double(bitsToIndex(Self.paddedLength(v.count)) + 2) * 0x1p-24
    return (bound + Double(v.count) * (2 * epsilon + epsilon * epsilon)) * norm2
  }

  public func expectedError(_ v: [Float]) -> Double? {
    guard !v.isEmpty, let a = try? coefficients(v) else { return v.isEmpty ? 0 : nil }
    let ratio = Double(v.count) / Double(a.count)
    let norm2 = Vec.squaredNorm(v)
    if isUnbiased {
      let norm1 = Vec.norm1(a)
      return max(0, norm1 * norm1 * ratio - norm2)
    }
    let u = Double(Vec.normInf(a))
    return max(0, norm2 - u * u * (2 - ratio))
  }
}
