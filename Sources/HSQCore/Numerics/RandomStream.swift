import CKernels
import Foundation

/// A seeded, splittable stream of random numbers: xoshiro256** seeded by SplitMix64.
///
/// ```
/// state = SplitMix64(seed) expanded to 4 words
/// next  = rotl(s1 * 5, 7) * 9            (xoshiro256**, Blackman & Vigna 2018)
/// ```
///
/// hsq never uses a global generator. Every consumer derives its own stream
/// from the session's root seed, a purpose and indices
/// (``derived(from:purpose:_:)``), by hashing them with FNV-1a and the
/// SplitMix64 finalizer. Streams therefore do not depend on the order in
/// which threads run, and results can be reproduced elsewhere from the
/// algorithm names alone.
public struct RandomStream: RandomNumberGenerator, Sendable, Hashable, Codable {
  @usableFromInline var s0: UInt64
  @usableFromInline var s1: UInt64
  @usableFromInline var s2: UInt64
  @usableFromInline var s3: UInt64

  /// A stream seeded from one 64-bit seed (SplitMix64 expansion).
  public init(seed: UInt64) {
    var x = seed
    s0 = RandomStream.splitMix(&x)
    s1 = RandomStream.splitMix(&x)
    s2 = RandomStream.splitMix(&x)
    s3 = RandomStream.splitMix(&x)
  }

  /// The stream for `purpose` and `indices` under `root`, independent of every other purpose and index.
  ///
  /// - Parameters:
  ///   - root: the session's root seed.
  ///   - purpose: what the stream is for, e.g. `"compress"`, `"data-order"`, `"codebook"`.
  ///   - indices: owner indices, e.g. `(worker, step, layer)`.
  public static func derived(from root: UInt64, purpose: String, _ indices: Int...) -> RandomStream {
    derived(from: root, purpose: purpose, indices: indices)
  }

  /// The stream for `purpose` and `indices` under `root` (array form).
  public static func derived(from root: UInt64, purpose: String, indices: [Int]) -> RandomStream {
    var h = mix(root ^ 0x6A09_E667_F3BC_C908)
    h = mix(h ^ fnv1a(purpose))
    for index in indices {
      h = mix(h &+ 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: Int64(index)))
    }
    return RandomStream(seed: h)
  }

  @inlinable
  public mutating func next() -> UInt64 {
    let result = rotl(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 45)
    return result
  }

  /// A uniform Float in [0, 1) with 24 random bits.
  @inlinable
  public mutating func uniformFloat() -> Float {
    Float(next() >> 40) * 0x1p-24
  }

  /// Two uniform Floats in [0, 1) from one 64-bit draw (24 bits each).
  @inlinable
  public mutating func uniformFloatPair() -> (Float, Float) {
    let x = next()
    return (Float(x >> 40) * 0x1p-24, Float((x >> 8) & 0xFF_FFFF) * 0x1p-24)
  }

  /// The next `pairs` draws as ``uniformFloatPair()`` gives them, written in order to `out` (2·`pairs` values):
  /// the draws in a C loop with the state in registers, their conversion vectorized (``hsq_uniform_float_pairs``).
  public mutating func fillUniformFloatPairs(_ out: UnsafeMutablePointer<Float>, pairs: Int, level: hsq_kernel_level = HSQ_KERNELS_AUTO) {
    withStateWords { hsq_uniform_float_pairs($0, Int64(pairs), out, level) }
  }

  /// The next `pairs` draws as two 23-bit integers each, x >> 41 and (x >> 18) & 0x7FFFFF, written in order to `out`.
  public mutating func fillUniform23Pairs(_ out: UnsafeMutablePointer<UInt32>, pairs: Int, level: hsq_kernel_level = HSQ_KERNELS_AUTO) {
    withStateWords { hsq_uniform23_pairs($0, Int64(pairs), out, level) }
  }

  /// Runs `body` on the state as four words s0…s3, and keeps what it leaves there: how a C kernel draws from the
  /// stream (xoshiro256**, the same state updates as ``next()``).
  public mutating func withStateWords(_ body: (UnsafeMutablePointer<UInt64>) -> Void) {
    var state = (s0, s1, s2, s3)
    withUnsafeMutableBytes(of: &state) { body($0.baseAddress!.assumingMemoryBound(to: UInt64.self)) }
    (s0, s1, s2, s3) = state
  }

  /// A uniform Double in [0, 1) with 53 random bits.
  @inlinable
  public mutating func uniformDouble() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// A uniform integer in `0..<bound` (Lemire's nearly divisionless method).
  @inlinable
  public mutating func int(below bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    return Int(next(upperBound: UInt64(bound)))
  }

  /// A standard normal Double (Box–Muller, one value per call).
  @inlinable
  public mutating func gaussian() -> Double {
    var u = uniformDouble()
    while u == 0 { u = uniformDouble() }
    let v = uniformDouble()
    return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
  }

  /// `true` with probability `p`.
  @inlinable
  public mutating func bernoulli(_ p: Double) -> Bool {
    uniformDouble() < p
  }

  /// An index drawn with probability proportional to `weights` (non-negative, not all zero).
  ///
  /// Inverse-CDF sampling: the first `j` whose cumulative weight reaches `r·total`
  /// (THEORY.md §7: `searchsorted`, not the authors' `argmin(cumsum ≥ r) + 1`).
  public mutating func categorical(_ weights: [Double]) -> Int {
    var total = 0.0
    for w in weights { total += w }
    precondition(total > 0, "categorical weights must not all be zero")
    let r = uniformDouble() * total
    var cumulative = 0.0
    var last = 0
    for (j, w) in weights.enumerated() where w > 0 {
      cumulative += w
      last = j
      if cumulative > r { return j }
    }
    return last
  }

  /// `k` distinct indices from `0..<n`, in increasing order (Floyd's algorithm).
  public mutating func sample(_ k: Int, from n: Int) -> [Int] {
    precondition(k >= 0 && k <= n, "cannot sample \(k) of \(n)")
    var chosen = Set<Int>(minimumCapacity: k)
    for j in (n - k)..<n {
      let t = int(below: j + 1)
      if !chosen.insert(t).inserted { chosen.insert(j) }
    }
    return chosen.sorted()
  }

  /// Shuffles `array` in place (Fisher–Yates).
  public mutating func shuffle<T>(_ array: inout [T]) {
    guard array.count > 1 else { return }
    for i in stride(from: array.count - 1, to: 0, by: -1) {
      array.swapAt(i, int(below: i + 1))
    }
  }

  // MARK: - Mixing

  @inlinable static func splitMix(_ x: inout UInt64) -> UInt64 {
    x &+= 0x9E37_79B9_7F4A_7C15
    return mix(x)
  }

  /// The SplitMix64 finalizer.
  @inlinable static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// 64-bit FNV-1a of the UTF-8 bytes of `text`.
  static func fnv1a(_ text: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
      h ^= UInt64(byte)
      h = h &* 0x100_0000_01B3
    }
    return h
  }
}

@inlinable func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
  (x << k) | (x >> (64 - k))
}
