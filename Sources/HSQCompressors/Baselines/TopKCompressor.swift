import CKernels
import HSQCore

/// Keeps the k coordinates of largest magnitude and zeroes the rest (top-k sparsification).
///
/// ```
/// S = the k indices of largest |v_i|; ties go to the smaller index
/// Q(v)_i = v_i for i ∈ S, 0 otherwise
/// payload: the indices of S in increasing order, ⌈log₂ d⌉ bits each,
///          then their values as float32
/// ```
///
/// **Properties**
/// - biased, deterministic;
/// - exact error ‖Q(v) − v‖² = ‖v‖² − ‖top_k(v)‖², per vector δ(v) = ‖top_k(v)‖²/‖v‖²;
/// - δ-contraction with δ = k/d, attained by a constant vector;
/// - fixed size: k·(32 + ⌈log₂ d⌉) bits.
///
/// **Parameters**
/// - `k` (1…2^31 − 1, no default): coordinates kept (at most d); overrides `ratio`;
/// - `ratio` (1e-9…1, default 0.01): k = ⌈ratio·d⌉, at least 1, when `k` is not given.
///
/// Reference: Stich, Cordonnier & Jaggi, Sparsified SGD with Memory, NeurIPS 2018.
public struct TopKCompressor: CompressorComponent {
  public static let info = ComponentInfo(
    kind: .compressor, name: "topk",
    parameters: KeepCount.parameters)

  let keep: KeepCount

  /// Top-k with a fixed k.
  public init(k: Int) throws { keep = try KeepCount(k: k, ratio: 0.01, component: "topk") }
  /// Top-k with k = ⌈ratio·d⌉.
  public init(ratio: Double) throws { keep = try KeepCount(k: nil, ratio: ratio, component: "topk") }
  public init(_ parameters: ParameterValues) throws { keep = try KeepCount(parameters) }

  public var spec: String { "topk:\(keep.spelling)" }
  public var properties: CompressorProperties { .init(isUnbiased: false, isFixedSize: true, isDeterministic: true) }

  public func guarantee(length d: Int) -> Guarantee {
    d == 0 ? .contraction(delta: 1) : .contraction(delta: Double(keep.count(for: d)) / Double(d))
  }

  /// ⌈log₂ d⌉ bits per index (none when d = 1).
  static func indexBits(_ d: Int) -> Int { d <= 1 ? 0 : bitsToIndex(d) }

  public func bits(length d: Int) -> Int? { keep.count(for: d) * (32 + Self.indexBits(d)) }
  public var bitsFormula: String { "k·(32 + ⌈log₂ d⌉)" }

  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    try Vec.requireFinite(v, what: "The input to 'topk'")
    guard v.count <= Int(UInt32.max) else {
      throw HSQError.invalidArgument("'topk' takes vectors of at most 2^32 − 1 coordinates; split this one (\(v.count)).")
    }
    let d = v.count
    let kept = Self.largest(v, keep.count(for: d))
    let width = Self.indexBits(d)
    return Payload.packing(bitCount: bits(length: d)!) { packer in
      if width > 0 { for i in kept { packer.put(UInt32(i), bits: width) } }
      for i in kept { packer.put(v[i]) }
    }
  }

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    try requireBits(payload, bits(length: d)!, spec, length: d)
    let k = keep.count(for: d)
    let width = Self.indexBits(d)
    return try payload.unpacking { reader in
      var indices = [Int](repeating: 0, count: k)
      for j in 0..<k {
        let i = width > 0 ? Int(reader.take(bits: width)) : 0
        guard i < d, j == 0 || i > indices[j - 1] else {
          throw HSQError.malformedPayload("a 'topk' payload has index \(i) at position \(j); indices increase and stay below d = \(d).")
        }
        indices[j] = i
      }
      var out = [Float](repeating: 0, count: d)
      for i in indices {
        let x = reader.takeFloat()
        guard x.isFinite else { throw HSQError.malformedPayload("a 'topk' payload has the non-finite value \(x) at index \(i).") }
        out[i] = x
      }
      return out
    }
  }

  public func expectedError(_ v: [Float]) -> Double? {
    guard v.allSatisfy(\.isFinite), v.count <= Int(UInt32.max) else { return nil }
    var dropped = v.map { Double($0) * Double($0) }
    for i in Self.largest(v, keep.count(for: v.count)) { dropped[i] = 0 }
    return dropped.reduce(0, +)
  }

  /// The indices of the `k` largest |v_i| (ties to the smaller index), in increasing order.
  ///
  /// |v_i|'s bit pattern is monotone in |v_i| for non-negative floats, so the k-th largest
  /// magnitude T is found by a radix select on those 31 bits (histograms of bits 30…20, 19…9 and
  /// 8…0, each pass over the entries still tied on the bits above): O(d) whatever the data.
  /// Then one pass in index order keeps every |v_i| > T and the first k − #{|v_i| > T} entries
  /// equal to T, which are exactly the ties of smallest index.
  ///
  /// For k ≤ d/16 on long vectors the select runs on candidates instead: a floor below T with high
  /// probability is read from a strided sample of the magnitudes, and one vectorized pass
  /// (``hsq_magnitudes_at_least``) collects every entry at or above it with its index. When at least
  /// k entries are, T and everything kept is among them, so the result is the same; when the floor
  /// turns out too high or too low (too many candidates) the select runs on every entry.
  static func largest(_ v: [Float], _ k: Int, level: hsq_kernel_level = HSQ_KERNELS_AUTO) -> [Int] {
    let d = v.count
    if k >= d { return Array(0..<d) }
    if k == 0 { return [] }
    return v.withUnsafeBufferPointer { vp in
      if let kept = largestAboveSampledFloor(vp, k, level: level) { return kept }
      let (threshold, above) = kthLargest(
        [UInt32](unsafeUninitializedCapacity: d) { buffer, initialized in
          for i in 0..<d { buffer[i] = abs(vp[i]).bitPattern }
          initialized = d
        }, k)
      var ties = k - above
      var kept = [Int]()
      kept.reserveCapacity(k)
      for i in 0..<d {
        let a = abs(vp[i]).bitPattern
        if a > threshold {
          kept.append(i)
        } else if a == threshold && ties > 0 {
          kept.append(i)
          ties -= 1
        }
      }
      return kept
    }
  }

  /// Strided sample size for the floor, and the shortest vector the sampled path runs on.
  static let sampleSize = 1024
  static let sampledMinimumLength = 16 * 1024

  /// ``largest(_:_:level:)`` from the candidates at or above a floor read from a sample, or `nil` when the floor
  /// leaves fewer than k candidates or more than the capacity (the caller then selects from every entry).
  static func largestAboveSampledFloor(_ vp: UnsafeBufferPointer<Float>, _ k: Int, level: hsq_kernel_level) -> [Int]? {
    let d = vp.count, m = sampleSize
    guard d >= sampledMinimumLength, d <= Int(UInt32.max), 16 * k <= d, let base = vp.baseAddress else { return nil }
    let stride = d / m
    let sample = (0..<m).map { abs(vp[$0 * stride]).bitPattern }
    // The sample's r-th largest, r about twice k's share of the sample: about 2k + 8·d/m entries lie above it.
    let r = min(m, 2 * ((k * m + d - 1) / d) + 8)
    let floor = kthLargest(sample, r).threshold
    let capacity = min(d, 4 * (d / m) * r + k)
    var bits = [UInt32](repeating: 0, count: capacity), indices = [UInt32](repeating: 0, count: capacity)
    let found = Int(hsq_magnitudes_at_least(base, Int64(d), floor, &bits, &indices, Int64(capacity), level))
    guard found >= k else { return nil }
    bits.removeLast(capacity - found)
    let (threshold, above) = kthLargest(bits, k)
    var ties = k - above
    var kept = [Int]()
    kept.reserveCapacity(k)
    for j in 0..<found {
      if bits[j] > threshold {
        kept.append(Int(indices[j]))
      } else if bits[j] == threshold && ties > 0 {
        kept.append(Int(indices[j]))
        ties -= 1
      }
    }
    return kept
  }

  /// The k-th largest T of `candidates` (bit patterns of |v_i|, 1 ≤ k ≤ count), and how many lie above it.
  ///
  /// Consumes the array: the passes narrow it in place (a caller that goes on using it pays one copy).
  static func kthLargest(_ candidates: consuming [UInt32], _ k: Int) -> (threshold: UInt32, above: Int) {
    var prefix: UInt32 = 0  // the bits of T found so far, above `shift + width`
    var above = 0  // entries known to be larger than T
    var rank = k  // T is the rank-th largest of `candidates`
    for (shift, width) in [(20, 11), (9, 11), (0, 9)] as [(UInt32, UInt32)] {
      let mask: UInt32 = (1 << width) - 1
      var histogram = [Int](repeating: 0, count: 1 << width)
      candidates.withUnsafeBufferPointer { c in
        histogram.withUnsafeMutableBufferPointer { h in
          for a in c { h[Int((a >> shift) & mask)] += 1 }
        }
      }
      var bucket = Int(mask)
      while histogram[bucket] < rank {
        rank -= histogram[bucket]
        above += histogram[bucket]
        bucket -= 1
      }
      prefix |= UInt32(bucket) << shift
      let digit = UInt32(bucket)
      candidates.removeAll { ($0 >> shift) & mask != digit }
    }
    return (prefix, above)
  }
}
