import CKernels
import HSQCore

/// Stochastic rounding of every coordinate to one of s levels of its bucket's norm (QSGD).
///
/// ```
/// for each bucket b of `bucket` coordinates (the last one may be shorter):
///   σ_b = max_i |v_i|          (norm=max)   or   ‖v_b‖₂ rounded up to float32 (norm=l2)
///   r_i = s·|v_i|/σ_b,   l_i = min(⌊r_i⌋, s − 1),   p_i = r_i − l_i
///   ξ_i = l_i + 1 with probability p_i, else l_i
///   Q(v)_i = sign(v_i)·ξ_i·σ_b/s
/// payload: σ_b as float32 for every bucket, then for every coordinate
///          a sign bit and ξ_i in ⌈log₂(s+1)⌉ bits
/// ```
///
/// The defaults (`bits=2,bucket=128,norm=max`) are the HSQ authors' QSGD, the one the
/// NumPy peer runs: s = 4, levels 0…4 of each bucket's largest magnitude.
/// `norm=l2,bucket=0` is Alistarh et al.'s QSGD on the whole vector.
///
/// **Properties**
/// - unbiased: E ξ_i = r_i, so E Q(v) = v;
/// - exact variance: E‖Q(v) − v‖² = Σ_b (σ_b/s)² Σ_{i∈b} p_i(1 − p_i);
/// - worst case with n = min(bucket, d) coordinates per bucket, from
///   p(1 − p) ≤ min(1/4, r(s − r)/s):
///   ℓ2:  ω = min(n/(4s²), (√n − 1)/s), times (1 + 2⁻²²)² for the rounded-up scale
///        (sharper than Alistarh et al.'s Lemma 3.1, min(n/s², √n/s); exact for s = 1);
///   max: ω = min((n − 1)/(4s²), (√n − 1)/(2s))  (exact for s = 1, which is TernGrad);
/// - fixed size: 32·⌈d/n⌉ + d·(1 + ⌈log₂(s+1)⌉) bits (4.25 per coordinate by default).
///
/// **Parameters**
/// - `bits` (0…15, default 2): s = 2^bits, the authors' `n_bit`;
/// - `levels` (1…65535, no default): s itself; when given it overrides `bits`;
/// - `bucket` (0…2^30, default 128): coordinates sharing one scale; 0 = the whole vector;
/// - `norm` (`max` or `l2`, default `max`): each bucket's scale.
///
/// Reference: Alistarh et al., QSGD, NeurIPS 2017; xinyandai/gradient-quantization.
public struct QSGDCompressor: CompressorComponent {
  /// How each bucket is scaled.
  public enum Norm: String, NamedChoice {
    case max
    case l2
  }

  public static let info = ComponentInfo(
    kind: .compressor, name: "qsgd",
    parameters: [
      .int("bits", 0...15, default: 2, doc: "s = 2^bits levels (the authors' n_bit); 2 gives s = 4."),
      .int("levels", 1...65535, default: nil, doc: "s itself, overriding bits (e.g. levels=1 for one level)."),
      .int("bucket", 0...(1 << 30), default: 128, doc: "Coordinates sharing one scale; 0 = the whole vector."),
      .choice("norm", Norm.self, default: .max, doc: "Each bucket's scale: max (the authors') or l2 (Alistarh et al.)."),
    ])

  /// s, the number of non-zero levels.
  public let levels: Int
  /// Coordinates per bucket; 0 means one bucket for the whole vector.
  public let bucket: Int
  public let norm: Norm
  /// Whether s was given as `levels` (else as `bits`), for the canonical spelling.
  private let spelledAsLevels: Bool
  /// The most the coding kernels may use (tests compare the paths; every one gives the same payload).
  var level = HSQ_KERNELS_AUTO

  /// QSGD with s = 2^`bits`.
  public init(bits: Int = 2, bucket: Int = 128, norm: Norm = .max) throws {
    guard (0...15).contains(bits) else {
      throw HSQError.invalidParameter(component: "qsgd", parameter: "bits", problem: "\(bits) is out of range; give a value in 0...15.")
    }
    try self.init(s: 1 << bits, bucket: bucket, norm: norm, spelledAsLevels: false)
  }

  /// QSGD with s = `levels`.
  public init(levels: Int, bucket: Int = 128, norm: Norm = .max) throws {
    try self.init(s: levels, bucket: bucket, norm: norm, spelledAsLevels: true)
  }

  public init(_ parameters: ParameterValues) throws {
    let norm = parameters.choice("norm", as: Norm.self)
    if let levels = parameters.optionalInt("levels") {
      try self.init(levels: levels, bucket: parameters.int("bucket"), norm: norm)
    } else {
      try self.init(bits: parameters.int("bits"), bucket: parameters.int("bucket"), norm: norm)
    }
  }

  private init(s: Int, bucket: Int, norm: Norm, spelledAsLevels: Bool) throws {
    guard (1...65535).contains(s) else {
      throw HSQError.invalidParameter(component: "qsgd", parameter: "levels", problem: "\(s) is out of range; give a value in 1...65535.")
    }
    guard (0...(1 << 30)).contains(bucket) else {
      throw HSQError.invalidParameter(component: "qsgd", parameter: "bucket", problem: "\(bucket) is out of range; give a value in 0...\(1 << 30).")
    }
    self.levels = s
    self.bucket = bucket
    self.norm = norm
    self.spelledAsLevels = spelledAsLevels
  }

  public var spec: String {
    let s = spelledAsLevels ? "levels=\(levels)" : "bits=\(levels.trailingZeroBitCount)"
    return "qsgd:\(s),bucket=\(bucket),norm=\(norm.rawValue)"
  }

  public var properties: CompressorProperties { .init(isUnbiased: true, isFixedSize: true, isDeterministic: false) }

  /// Bits of one coordinate's code: a sign bit and ⌈log₂(s+1)⌉ level bits.
  var codeWidth: Int { 1 + bitsToIndex(levels + 1) }

  /// The bucket length for a vector of length `d`.
  func bucketLength(_ d: Int) -> Int { bucket == 0 ? max(d, 1) : bucket }

  public func guarantee(length d: Int) -> Guarantee {
    let n = Double(bucket == 0 ? d : min(bucket, d))
    guard n >= 1 else { return .unbiased(omega: 0) }
    let s = Double(levels)
    switch norm {
    case .l2:
      let e = 1 + 0x1p-22
      return .unbiased(omega: min(e * e * n / (4 * s * s), (e * n.squareRoot() - 1) / s))
    case .max:
      return .unbiased(omega: min((n - 1) / (4 * s * s), (n.squareRoot() - 1) / (2 * s)))
    }
  }

  public func bits(length d: Int) -> Int? {
    let b = bucketLength(d)
    return 32 * ((d + b - 1) / b) + d * codeWidth
  }

  public var bitsFormula: String { "32·⌈d/bucket⌉ + d·(1 + ⌈log₂(s+1)⌉)" }

  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    let d = v.count
    let b = bucketLength(d)
    let scales = try v.withUnsafeBufferPointer { try bucketScales($0, checkingFinite: true) }
    let width = codeWidth
    let s = Float(levels)
    let sMinusOne = Float(levels - 1)
    var uniforms = BaselineBits.Uniforms(rng, level: level)
    defer { rng = uniforms.rng }
    return v.withUnsafeBufferPointer { vp in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: Self.chunk) { u in
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: Self.chunk) { codes in
          Payload.packing(bitCount: bits(length: d)!) { packer in
            for scale in scales { packer.put(scale) }
            // A draw for every coordinate, in order, whatever its bucket's scale.
            var i = 0
            while i < d {
              let n = min(Self.chunk, d - i)
              uniforms.fill(u.baseAddress!, n)
              hsq_qsgd_codes(vp.baseAddress! + i, u.baseAddress!, Int64(i), Int64(n), Int64(b), scales, s, sMinusOne, codes.baseAddress!, level)
              Self.pack(codes.baseAddress!, n, width: width, into: &packer)
              i += n
            }
          }
        }
      }
    }
  }

  /// Coordinates coded per kernel call, across bucket boundaries (a multiple of 8: each chunk's codes fill whole bytes).
  static let chunk = 4096

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    guard let expected = bits(length: d) else { preconditionFailure("qsgd is fixed-size") }
    try requireBits(payload, expected, spec, length: d)
    let b = bucketLength(d)
    let width = codeWidth
    let inverse = 1 / Float(levels)
    return try payload.unpacking { reader in
      var scales = [Float](repeating: 0, count: (d + b - 1) / b)
      for index in scales.indices {
        let sigma = reader.takeFloat()
        guard sigma.isFinite, sigma.sign == .plus else {
          throw HSQError.malformedPayload("bucket \(index) of a 'qsgd' payload has scale \(sigma); scales are finite and non-negative.")
        }
        scales[index] = sigma
      }
      var invalid: Int32 = 0
      let s = Int32(levels)
      let out = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: Self.chunk) { codes in
        [Float](unsafeUninitializedCapacity: d) { buffer, initialized in
          var i = 0
          while i < d {
            let n = min(Self.chunk, d - i)
            Self.unpack(codes.baseAddress!, n, width: width, from: &reader)
            invalid |= hsq_qsgd_values(codes.baseAddress!, Int64(i), Int64(n), Int64(b), scales, inverse, s, buffer.baseAddress! + i, level)
            i += n
          }
          initialized = d
        }
      }
      guard invalid == 0 else {
        throw HSQError.malformedPayload("a 'qsgd' payload has a level above s = \(levels).")
      }
      return out
    }
  }

  public func expectedError(_ v: [Float]) -> Double? {
    guard v.allSatisfy(\.isFinite),
      let scales = try? v.withUnsafeBufferPointer({ try bucketScales($0, checkingFinite: false) })
    else { return nil }
    let b = bucketLength(v.count)
    let s = Double(levels)
    var total = 0.0
    for (index, sigma) in scales.enumerated() where sigma > 0 {
      var sum = 0.0
      for i in (index * b)..<min(index * b + b, v.count) {
        let r = s * Double(abs(v[i])) / Double(sigma)
        let p = r - min(r.rounded(.down), s - 1)
        sum += p * (1 - p)
      }
      let step = Double(sigma) / s
      total += step * step * sum
    }
    return total
  }
}
