import HSQCore

/// Keeps k coordinates chosen uniformly at random, scaled by d/k so the result is unbiased.
///
/// ```
/// seed ← 64 bits drawn from the compression stream
/// S = k distinct indices of 0..<d drawn by RandomStream(seed:).sample(k, from: d) (Floyd)
/// Q(v)_i = (d/k)·v_i for i ∈ S, 0 otherwise
/// payload: the seed (64 bits), then v_i for i ∈ S in increasing order as float32
/// ```
///
/// The indices are not sent: the receiver rebuilds S from the payload's own seed, so a
/// payload decodes on its own, with no state shared beyond the algorithm.
///
/// **Properties**
/// - unbiased: every index is in S with probability k/d;
/// - exact variance E‖Q(v) − v‖² = (d/k − 1)‖v‖², so ω = d/k − 1 exactly
///   (each draw errs by (d/k − 1)²‖v_S‖² + ‖v_{S̄}‖²: always (d/k − 1)‖v‖² only when d = 2k);
/// - fixed size: 32·k + 64 bits;
/// - rejects a vector with ‖v‖_∞·d/k beyond the float32 range (the scaled values would overflow).
///
/// **Parameters**
/// - `k` (1…2^31 − 1, no default): coordinates kept (at most d); overrides `ratio`;
/// - `ratio` (1e-9…1, default 0.01): k = ⌈ratio·d⌉, at least 1, when `k` is not given.
///
/// Reference: Wangni et al., Gradient Sparsification, NeurIPS 2018; Stich et al., NeurIPS 2018.
public struct RandomKCompressor: CompressorComponent {
  public static let info = ComponentInfo(
    kind: .compressor, name: "randomk",
    parameters: KeepCount.parameters)

  let keep: KeepCount

  /// Random-k with a fixed k.
  public init(k: Int) throws { keep = try KeepCount(k: k, ratio: 0.01, component: "randomk") }
  /// Random-k with k = ⌈ratio·d⌉.
  public init(ratio: Double) throws { keep = try KeepCount(k: nil, ratio: ratio, component: "randomk") }
  public init(_ parameters: ParameterValues) throws { keep = try KeepCount(parameters) }

  public var spec: String { "randomk:\(keep.spelling)" }
  public var properties: CompressorProperties { .init(isUnbiased: true, isFixedSize: true, isDeterministic: false) }

  public func guarantee(length d: Int) -> Guarantee {
    d == 0 ? .unbiased(omega: 0) : .unbiased(omega: Double(d) / Double(keep.count(for: d)) - 1)
  }

  public func bits(length d: Int) -> Int? { 32 * keep.count(for: d) + 64 }
  public var bitsFormula: String { "32·k + 64" }

  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    try Vec.requireFinite(v, what: "The input to 'randomk'")
    let d = v.count
    let k = keep.count(for: d)
    if k > 0 {
      let largest = Double(Vec.normInf(v)) * Double(d) / Double(k)
      guard largest <= Double(Float.greatestFiniteMagnitude) else {
        throw HSQError.invalidArgument(
          "'\(spec)' scales kept values by d/k = \(formatNumber(Double(d) / Double(k))), and \(Vec.normInf(v)) would overflow float32; scale the vector down or keep more coordinates.")
      }
    }
    let seed = rng.next()
    var indexStream = RandomStream(seed: seed)
    let kept = indexStream.sample(k, from: d)
    return Payload.packing(bitCount: 32 * k + 64) { packer in
      packer.put(UInt32(truncatingIfNeeded: seed), bits: 32)
      packer.put(UInt32(truncatingIfNeeded: seed >> 32), bits: 32)
      for i in kept { packer.put(v[i]) }
    }
  }

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    let k = keep.count(for: d)
    try requireBits(payload, 32 * k + 64, spec, length: d)
    return try payload.unpacking { reader in
      let low = UInt64(reader.take(bits: 32))
      let seed = low | UInt64(reader.take(bits: 32)) << 32
      var indexStream = RandomStream(seed: seed)
      let factor = k > 0 ? Double(d) / Double(k) : 0
      var out = [Float](repeating: 0, count: d)
      for i in indexStream.sample(k, from: d) {
        let x = reader.takeFloat()
        let scaled = Float(Double(x) * factor)
        guard scaled.isFinite else {
          throw HSQError.malformedPayload("a 'randomk' payload has \(x) for index \(i); scaled by d/k it is not a finite float32.")
        }
        out[i] = scaled
      }
      return out
    }
  }

  public func expectedError(_ v: [Float]) -> Double? {
    guard v.allSatisfy(\.isFinite), let omega = guarantee(length: v.count).relativeErrorBound else { return nil }
    return omega * Vec.squaredNorm(v)
  }

  /// Var Q(v)_i = (d/k)²v_i²·(k/d) − v_i² = (d/k − 1)·v_i².
  public func coordinateVariances(_ v: [Float]) -> [Double]? {
    guard v.allSatisfy(\.isFinite), let omega = guarantee(length: v.count).relativeErrorBound else { return nil }
    return v.map { omega * Double($0) * Double($0) }
  }
}
