import CKernels
import HSQCore

/// A randomized Hadamard orthonormal basis of R^d that never stores a d×d matrix.
///
/// ```
/// b_k = s_k · H e_k / √d,   H_ik = (−1)^popcount(i & k)  (Sylvester, natural order),   s_k = ±1
/// ⟨b_k, v⟩ = s_k (H v)_k / √d            all k at once in O(d log d) (fast Walsh–Hadamard)
/// Σ_k a_k b_k = H (s ⊙ a) / √d           the inverse, also O(d log d)
/// ```
///
/// This is the structured codebook of the O(log d) end of HSQ: one
/// codeword covers the whole gradient (D = d), so an index costs
/// `log₂ d` bits, and nothing but the seed needs to be shared. The signs
/// come from the stream `derived(from: seed, purpose: "codebook-hadamard", d, d)`
/// — 64 signs per draw, bit `k % 64` of draw `k / 64`, set meaning −1 —, the
/// same stream as the dense `hadamard` codebook, which is built from this
/// type so the two agree.
///
/// **Properties**
/// - orthonormal: δ = 1/d, ω₂ = d − 1 (THEORY.md §2);
/// - memory d/8 bytes for the signs; d a power of two up to 2^30.
public struct RandomizedHadamardBasis: Sendable, Hashable {
  /// The largest dimension accepted.
  public static let maximumDimension = 1 << 30

  /// d, a power of two.
  public let dimension: Int
  /// The seed the signs were drawn from.
  public let seed: UInt64
  /// Sign bits, 64 per word; a set bit means s_k = −1.
  let signBits: [UInt64]

  /// The basis of R^`dimension` for `seed`.
  ///
  /// - Throws: ``HSQError/constraint(subject:rule:given:fix:)`` when `dimension` is not a power of two in 1…2^30.
  public init(dimension: Int, seed: UInt64) throws {
    guard Codebooks.isPowerOfTwo(dimension), dimension <= Self.maximumDimension else {
      let below = dimension > 1 ? 1 << (Int.bitWidth - 1 - (dimension - 1).leadingZeroBitCount) : 1
      throw HSQError.constraint(
        subject: "A Hadamard basis", rule: "needs a dimension that is a power of two (at most 2^30)", given: "\(dimension)",
        fix: "Use \(below) or \(below * 2), or pad the vector with zeros")
    }
    var rng = RandomStream.derived(from: seed, purpose: "codebook-hadamard", dimension, dimension)
    var bits = (0..<((dimension + 63) / 64)).map { _ in rng.next() }
    if dimension < 64 { bits[0] &= (1 << UInt64(dimension)) - 1 }
    self.dimension = dimension
    self.seed = seed
    self.signBits = bits
  }

  /// s_k, the sign of codeword `k` (±1).
  public func sign(_ k: Int) -> Float {
    signBit(k) ? -1 : 1
  }

  func signBit(_ k: Int) -> Bool {
    signBits[k >> 6] >> UInt64(k & 63) & 1 == 1
  }

  /// 1/√d, the magnitude of every entry of every codeword.
  public var entryMagnitude: Float {
    Float(1 / Double(dimension).squareRoot())
  }

  /// All coefficients ⟨b_k, v⟩, k = 0 … d−1, in O(d log d).
  public func coefficients(of v: [Float]) -> [Float] {
    precondition(v.count == dimension, "a vector of length \(v.count) for a basis of dimension \(dimension)")
    return coefficients(ofZeroPadded: v)
  }

  /// The coefficients of `v` followed by zeros up to the dimension (`v.count` ≤ d), copied once into the buffer
  /// the transform runs in.
  public func coefficients(ofZeroPadded v: [Float]) -> [Float] {
    precondition(v.count <= dimension, "a vector of length \(v.count) for a basis of dimension \(dimension)")
    var x = [Float](unsafeUninitializedCapacity: dimension) { buffer, initialized in
      v.withUnsafeBufferPointer { source in
        if let base = source.baseAddress { buffer.baseAddress!.initialize(from: base, count: v.count) }
      }
      (buffer.baseAddress! + v.count).initialize(repeating: 0, count: dimension - v.count)
      initialized = dimension
    }
    transform(&x)
    return x
  }

  /// The vector Σ_k a_k b_k with coefficients `a` (the inverse of ``coefficients(of:)``), in O(d log d).
  public func combination(of coefficients: [Float]) -> [Float] {
    precondition(coefficients.count == dimension, "\(coefficients.count) coefficients for a basis of dimension \(dimension)")
    var x = coefficients
    x.withUnsafeMutableBufferPointer { p in
      for k in 0..<dimension where signBit(k) { p[k] = -p[k] }
      hsq_fwht(p.baseAddress, Int64(dimension), HSQ_KERNELS_AUTO)
      let scale = 1 / Float(Double(dimension).squareRoot())
      for i in 0..<dimension { p[i] *= scale }
    }
    return x
  }

  /// Adds `a·b_k` to `out` in O(d), never forming the basis.
  public func addCodeword(_ k: Int, scaledBy a: Float, to out: inout [Float]) {
    precondition(k >= 0 && k < dimension, "codeword \(k) of a basis of dimension \(dimension)")
    precondition(out.count == dimension, "a vector of length \(out.count) for a basis of dimension \(dimension)")
    let c = Float(Double(a) * Double(sign(k)) / Double(dimension).squareRoot())
    out.withUnsafeMutableBufferPointer { p in
      for i in 0..<dimension {
        p[i] += (i & k).nonzeroBitCount & 1 == 0 ? c : -c
      }
    }
  }

  /// Writes a·b_k into `out`, which holds d zeros: what ``addCodeword(_:scaledBy:to:)`` leaves there, bit for
  /// bit, by doubling instead of a parity per entry (entry i is ±c with the parity of i & k, so entries
  /// h..<2h are entries 0..<h, negated when k has bit h).
  public func writeCodeword(_ k: Int, scaledBy a: Float, into out: inout [Float]) {
    precondition(out.count == dimension, "a vector of length \(out.count) for a basis of dimension \(dimension)")
    let c = codewordEntry(k, scaledBy: a)
    // 0 + (±0) is +0: adding a zero codeword leaves the zeros as they are.
    guard c != 0 else { return }
    out.withUnsafeMutableBufferPointer { hsq_hadamard_column($0.baseAddress, Int64(dimension), Int64(k), c) }
  }

  /// The first `count` entries of a·b_k (`count` ≤ d): ``writeCodeword(_:scaledBy:into:)``'s, without the rest.
  public func codewordPrefix(_ k: Int, scaledBy a: Float, count: Int) -> [Float] {
    precondition(count >= 0 && count <= dimension, "\(count) entries of a codeword of dimension \(dimension)")
    let c = codewordEntry(k, scaledBy: a)
    guard c != 0 else { return [Float](repeating: 0, count: count) }
    return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      hsq_hadamard_column(buffer.baseAddress, Int64(count), Int64(k), c)
      initialized = count
    }
  }

  /// a·(±1)/√d, the magnitude of a·b_k's entries with the sign of its first (after precondition on k).
  private func codewordEntry(_ k: Int, scaledBy a: Float) -> Float {
    precondition(k >= 0 && k < dimension, "codeword \(k) of a basis of dimension \(dimension)")
    return Float(Double(a) * Double(sign(k)) / Double(dimension).squareRoot())
  }

  /// Codeword b_k as d values.
  public func codeword(_ k: Int) -> [Float] {
    var out = [Float](repeating: 0, count: dimension)
    addCodeword(k, scaledBy: 1, to: &out)
    return out
  }

  /// x ← diag(s) H x / √d in place (`level`: the most the transform's and the sign-and-scale kernels may use, for tests).
  func transform(_ x: inout [Float], level: hsq_kernel_level = HSQ_KERNELS_AUTO) {
    x.withUnsafeMutableBufferPointer { p in
      hsq_fwht(p.baseAddress, Int64(dimension), level)
      let scale = 1 / Float(Double(dimension).squareRoot())
      signBits.withUnsafeBufferPointer { hsq_sign_scale(p.baseAddress, Int64(dimension), $0.baseAddress, scale, level) }
    }
  }

  /// ``transform(_:level:)`` as a Swift loop after the portable transform: the reference its kernels are tested against.
  func portableTransform(_ x: inout [Float]) {
    x.withUnsafeMutableBufferPointer { p in
      hsq_fwht(p.baseAddress, Int64(dimension), HSQ_KERNELS_PORTABLE)
      let scale = 1 / Float(Double(dimension).squareRoot())
      for k in 0..<dimension { p[k] *= signBit(k) ? -scale : scale }
    }
  }
}
