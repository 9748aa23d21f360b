import CKernels
import HSQCore

/// Sends every coordinate as 0 or ±‖v‖_∞, keeping it with probability |v_i|/‖v‖_∞ (TernGrad).
///
/// ```
/// m = ‖v‖_∞
/// Q(v)_i = m·sign(v_i)·b_i,   b_i ~ Bernoulli(|v_i|/m)
/// payload: m as float32, then the trits t_i ∈ {0: zero, 1: +m, 2: −m},
///          five per byte (Σ_j t_{5k+j}·3^j < 243) and the last d mod 5 in
///          ⌈(d mod 5)·log₂3⌉ bits
/// ```
///
/// Packing five trits in a byte costs 1.6 bits per coordinate, within 1% of log₂3.
///
/// **Properties**
/// - unbiased: E Q(v)_i = m·sign(v_i)·|v_i|/m = v_i;
/// - exact variance: E‖Q(v) − v‖² = Σ_i (m|v_i| − v_i²) = ‖v‖_∞‖v‖₁ − ‖v‖²;
/// - ω = (√d − 1)/2, attained at v = (1, t, …, t) with t = 1/(√d + 1);
/// - fixed size: 32 + 8·⌊d/5⌋ + ⌈(d mod 5)·log₂3⌉ bits (the last term is 0, 2, 4, 5 or 7).
///
/// No parameters. (The HSQ authors' "TernGrad", `qsgd` with one bit, has levels {0, ½, 1}·m:
/// that is `qsgd:bits=1,bucket=0`, not this.)
///
/// Reference: Wen et al., TernGrad, NeurIPS 2017.
public struct TernGradCompressor: CompressorComponent {
  public static let info = ComponentInfo(kind: .compressor, name: "terngrad")

  /// The most the per-coordinate kernel may use (tests compare the paths).
  let level: hsq_kernel_level

  public init() { level = HSQ_KERNELS_AUTO }
  public init(_ parameters: ParameterValues) throws { level = HSQ_KERNELS_AUTO }
  init(level: hsq_kernel_level) { self.level = level }

  public var spec: String { "terngrad" }
  public var properties: CompressorProperties { .init(isUnbiased: true, isFixedSize: true, isDeterministic: false) }

  public func guarantee(length d: Int) -> Guarantee {
    .unbiased(omega: max(0, (Double(d).squareRoot() - 1) / 2))
  }

  /// Bits for the last d mod 5 trits: ⌈r·log₂3⌉ for r = 0…4.
  static let tailBits = [0, 2, 4, 5, 7]
  /// 3^r for r = 0…5.
  static let powers: [UInt32] = [1, 3, 9, 27, 81, 243]

  public func bits(length d: Int) -> Int? { 32 + 8 * (d / 5) + Self.tailBits[d % 5] }
  public var bitsFormula: String { "32 + 8·⌊d/5⌋ + ⌈(d mod 5)·log₂3⌉" }

  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    try Vec.requireFinite(v, what: "The input to 'terngrad'")
    let d = v.count
    let m = Vec.normInf(v)
    var uniforms = BaselineBits.Uniforms(rng, level: level)
    defer { rng = uniforms.rng }
    return v.withUnsafeBufferPointer { vp in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: Self.chunk) { u in
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.chunk / 5) { groups in
          Payload.packing(bitCount: bits(length: d)!) { packer in
            packer.put(m)
            var start = 0
            while start < d {
              let n = min(Self.chunk, d - start)
              uniforms.fill(u.baseAddress!, n)
              let full = n / 5
              hsq_terngrad_groups(vp.baseAddress! + start, u.baseAddress!, Int64(full), m, groups.baseAddress!, level)
              var g = 0
              while g + 4 <= full {
                packer.put(
                  UInt32(groups[g]) | UInt32(groups[g + 1]) << 8 | UInt32(groups[g + 2]) << 16 | UInt32(groups[g + 3]) << 24,
                  bits: 32)
                g += 4
              }
              while g < full {
                packer.put(UInt32(groups[g]), bits: 8)
                g += 1
              }
              // The last d mod 5 trits (in the last chunk only).
              let rest = n - 5 * full
              if rest > 0 {
                var group: UInt32 = 0
                for j in stride(from: rest - 1, through: 0, by: -1) {
                  let x = vp[start + 5 * full + j]
                  let kept = m > 0 && u[5 * full + j] < abs(x) / m
                  group = group * 3 + (kept ? (x < 0 ? 2 : 1) : 0)
                }
                packer.put(group, bits: Self.tailBits[rest])
              }
              start += n
            }
          }
        }
      }
    }
  }

  /// Coordinates coded per kernel call (a multiple of 5).
  static let chunk = 4095

  /// The five trits of every byte below 243, trit j of group g at 5g + j.
  static let trits: [UInt8] = (0..<(243 * 5)).map { UInt8((($0 / 5) / Int(powers[$0 % 5])) % 3) }

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    try requireBits(payload, bits(length: d)!, spec, length: d)
    return try payload.unpacking { reader in
      let m = reader.takeFloat()
      guard m.isFinite, m.sign == .plus else {
        throw HSQError.malformedPayload("a 'terngrad' payload has scale \(m); the scale is finite and non-negative.")
      }
      let values: [Float] = [0, m, -m]
      var out = [Float](repeating: 0, count: d)
      let full = d / 5
      var largest = 0
      values.withUnsafeBufferPointer { value in
        Self.trits.withUnsafeBufferPointer { trit in
          out.withUnsafeMutableBufferPointer { o in
            for g in 0..<full {
              let group = Int(reader.take(bits: 8))
              largest = Swift.max(largest, group)
              let t = Swift.min(group, 242) * 5
              for j in 0..<5 { o[5 * g + j] = value[Int(trit[t + j])] }
            }
          }
        }
      }
      guard largest < 243 else {
        throw HSQError.malformedPayload("a 'terngrad' payload packs \(largest) in a group of 5 trits (at most 242).")
      }
      let n = d - 5 * full
      if n > 0 {
        var group = reader.take(bits: Self.tailBits[n])
        guard group < Self.powers[n] else {
          throw HSQError.malformedPayload("a 'terngrad' payload packs \(group) in a group of \(n) trits (at most \(Self.powers[n] - 1)).")
        }
        for j in 0..<n {
          out[5 * full + j] = values[Int(group % 3)]
          group /= 3
        }
      }
      return out
    }
  }

  public func expectedError(_ v: [Float]) -> Double? {
    guard v.allSatisfy(\.isFinite) else { return nil }
    let m = Double(Vec.normInf(v))
    var sum = 0.0
    for x in v {
      let a = Double(abs(x))
      sum += a * (m - a)
    }
    return sum
  }

  /// Var Q(v)_i = m²·|v_i|/m − v_i² = |v_i|(m − |v_i|), m = ‖v‖_∞.
  public func coordinateVariances(_ v: [Float]) -> [Double]? {
    guard v.allSatisfy(\.isFinite) else { return nil }
    let m = Double(Vec.normInf(v))
    return v.map { Double(abs($0)) * (m - Double(abs($0))) }
  }
}
