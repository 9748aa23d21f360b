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
    return BaselineBits.build(bitCount: bits(length: d)!) { packer in
      if width > 0 { for i in kept { packer.put(UInt32(i), bits: width) } }
      for i in kept { packer.put(v[i]) }
    }
  }

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    try requireBits(payload, bits(length: d)!, spec, length: d)
    let k = keep.count(for: d)
    let width = Self.indexBits(d)
    return try BaselineBits.read(payload) { reader in
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
  /// Keys |v_i|'s bit pattern (monotone for non-negative floats) above the complemented
  /// index are distinct, so a quickselect on them is deterministic; it falls back to a
  /// sort after 2·log₂ d + 16 rounds, which bounds the worst case by O(d log d).
  static func largest(_ v: [Float], _ k: Int) -> [Int] {
    let d = v.count
    if k >= d { return Array(0..<d) }
    if k == 0 { return [] }
    var keys = v.withUnsafeBufferPointer { vp in
      [UInt64](unsafeUninitializedCapacity: d) { buffer, initialized in
        for i in 0..<d { buffer[i] = UInt64(abs(vp[i]).bitPattern) << 32 | UInt64(~UInt32(i)) }
        initialized = d
      }
    }
    keys.withUnsafeMutableBufferPointer { select(largest: k, in: $0) }
    return keys[0..<k].map { Int(~UInt32(truncatingIfNeeded: $0)) }.sorted()
  }

  /// Reorders `keys` (distinct) so that its first `k` entries are the `k` largest.
  static func select(largest k: Int, in keys: UnsafeMutableBufferPointer<UInt64>) {
    var lo = 0
    var hi = keys.count - 1
    let target = k - 1
    var rounds = 2 * (Int.bitWidth - keys.count.leadingZeroBitCount) + 16
    while lo < hi {
      if rounds == 0 {
        var rest = UnsafeMutableBufferPointer(rebasing: keys[lo...hi])
        rest.sort(by: >)
        return
      }
      rounds -= 1
      let mid = lo + (hi - lo) / 2
      // Median of three moved to `hi` as the pivot.
      if keys[mid] < keys[lo] { keys.swapAt(mid, lo) }
      if keys[hi] < keys[lo] { keys.swapAt(hi, lo) }
      if keys[mid] < keys[hi] { keys.swapAt(mid, hi) }
      let pivot = keys[hi]
      var store = lo
      for j in lo..<hi where keys[j] > pivot {
        keys.swapAt(store, j)
        store += 1
      }
      keys.swapAt(store, hi)
      if store == target { return }
      if store > target { hi = store - 1 } else { lo = store + 1 }
    }
  }
}
