import CKernels
import Foundation
import HSQCodebooks
@testable import HSQCompressors
import HSQCore
import Testing

/// Unbiased HSQ's blocked sampler (hsq_pinv_prefix16 and a binary search) against the scalar loop, bit for bit,
/// at every kernel level: the AVX2 and portable C kernels are checked on AVX-512 machines too (they run there when the
/// level asks), and a codebook of D > HSQ_PINV_MAX_DIM takes the scalar loop itself.
@Suite struct PinvSamplingKernelTests {
  @Test(arguments: ["gaussian:dim=16,k=256,seed=3", "gaussian:dim=16,k=29,seed=4", "gaussian:dim=8,k=32,seed=1", "gaussian:dim=3,k=5,seed=2", "cross-polytope:dim=4,k=8", "orthogonal:dim=8,k=8", "gaussian:dim=40,k=48,seed=5"],
        ["auto", "avx2", "portable"])
  func blockedSamplingMatchesTheScalarLoop(spelling: String, levelName: String) throws {
    let level = KernelLevelTests.levels.first { $0.0 == levelName }!.1
    let codebook = try Codebooks.make(spelling)
    let coefficients = try PseudoInverseCoefficients(codebook)
    let dim = codebook.dim
    var source = RandomStream(seed: 11)
    for length in [1, dim, 15 * dim + 1, 16 * dim, 17 * dim, 37 * dim + dim / 2 + 1, 6272 * dim] {
      var v = (0..<length).map { _ in Float(source.gaussian()) }
      // Zero sub-vectors draw nothing; a tiny and a huge one stress the running sums; one of the largest floats makes
      // coefficients overflow to ±∞, so ‖a‖₁ = ∞ and no running sum passes the draw (the last non-zero a_k is taken).
      if length >= 3 * dim {
        for j in 0..<dim { v[j] = 0; v[dim + j] *= 1e-30; v[2 * dim + j] *= 1e30 }
      }
      if length >= 4 * dim {
        for j in 0..<dim { v[3 * dim + j] = .greatestFiniteMagnitude }
      }
      let layout = SubvectorLayout(length: length, dim: dim)
      var scalarRNG = RandomStream(seed: UInt64(length))
      var blockedRNG = scalarRNG
      let expected = v.withUnsafeBufferPointer { coefficients.sample($0, layout: layout, rng: &scalarRNG) }
      let blocked = v.withUnsafeBufferPointer { coefficients.sampleBlocked($0, layout: layout, rng: &blockedRNG, level: level) }
      #expect(blocked.indices == expected.indices, "\(spelling), \(levelName), length \(length)")
      #expect(blocked.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern), "\(spelling), \(levelName), length \(length)")
      #expect(blockedRNG == scalarRNG, "\(spelling), \(levelName), length \(length): the same draws")
    }
  }

  /// A kernel runs at every level (so the comparisons above are not the scalar loop against itself), on rows in either
  /// half of the sixteen lanes, and none for D or rows out of its range.
  @Test(arguments: KernelLevelTests.levels.map(\.0))
  func aKernelRunsAtEveryLevel(levelName: String) {
    let level = KernelLevelTests.levels.first { $0.0 == levelName }!.1
    let p = [Float](repeating: 1, count: 9 * 2)
    var a = [Float](repeating: 0, count: 16 * 9), prefix = [Double](repeating: 0, count: 16 * 9)
    #expect(hsq_pinv_prefix16(p, 9, 2, [1, 2], 0, &a, &prefix, level) == 0)
    #expect(hsq_pinv_prefix16(p, 9, 2, [Float](repeating: 1, count: 34), 17, &a, &prefix, level) == 0)
    let wide = [Float](repeating: 1, count: Int(HSQ_PINV_MAX_DIM + 1))
    #expect(hsq_pinv_prefix16(wide, 1, HSQ_PINV_MAX_DIM + 1, wide, 1, &a, &prefix, level) == 0)
    for rows in [1, 9, 16] {
      let v: [Float] = (0..<rows).flatMap { r in [Float(1 + r), 2] }
      #expect(hsq_pinv_prefix16(p, 9, 2, v, Int32(rows), &a, &prefix, level) == 1, "\(levelName), \(rows) rows")
      for r in 0..<rows {
        #expect(a[16 * 8 + r] == Float(3 + r) && prefix[16 * 8 + r] == 9 * Double(3 + r), "\(levelName), \(rows) rows, row \(r)")
      }
    }
  }

  /// The sixteen-lane search gives the scalar binary search's answer for any sums: rising ones with ties and zero
  /// runs, targets below, on and past them, and sums a NaN coefficient made non-monotone.
  @Test(arguments: [1, 2, 5, 16, 255, 256, 1000])
  func prefixSearchMatchesTheScalarLoop(count: Int) {
    var source = RandomStream(seed: UInt64(count))
    for trial in 0..<40 {
      var prefix = [Double](repeating: 0, count: 16 * count)
      for lane in 0..<16 {
        var sum = 0.0
        for k in 0..<count {
          if source.uniformDouble() < 0.6 { sum += (source.uniformDouble() * 4).rounded() }
          if trial % 5 == 4, k == count / 2, lane % 3 == 0 { sum = .nan }
          prefix[16 * k + lane] = sum
        }
      }
      let r = (0..<16).map { lane -> Double in
        let top = prefix[16 * (count - 1) + lane]
        switch lane % 4 {
        case 0: return source.uniformDouble() * (top.isNaN ? 10 : top)
        case 1: return prefix[16 * source.int(below: count) + lane]
        case 2: return top + 1
        default: return lane == 3 ? -1 : .nan
        }
      }
      var fast = [Int32](repeating: -1, count: 16), portable = [Int32](repeating: -1, count: 16)
      hsq_prefix_search16(prefix, Int32(count), r, &fast, HSQ_KERNELS_AUTO)
      hsq_prefix_search16(prefix, Int32(count), r, &portable, HSQ_KERNELS_PORTABLE)
      #expect(fast == portable, "K = \(count), trial \(trial)")
      for lane in 0..<16 {
        var low = 0, high = count
        while low < high {
          let mid = (low + high) / 2
          if prefix[16 * mid + lane] > r[lane] { high = mid } else { low = mid + 1 }
        }
        #expect(Int(portable[lane]) == low, "K = \(count), trial \(trial), lane \(lane)")
      }
    }
  }
}
