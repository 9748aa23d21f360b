import CKernels
import Foundation
import HSQCodebooks
@testable import HSQCompressors
import HSQCore
import Testing

/// Unbiased HSQ's blocked sampler (hsq_pinv_prefix16 and a binary search) against the scalar loop, bit for bit.
@Suite struct PinvSamplingKernelTests {
  @Test(arguments: ["gaussian:dim=16,k=256,seed=3", "gaussian:dim=16,k=29,seed=4", "gaussian:dim=8,k=32,seed=1", "gaussian:dim=3,k=5,seed=2", "cross-polytope:dim=4,k=8", "orthogonal:dim=8,k=8"])
  func blockedSamplingMatchesTheScalarLoop(spelling: String) throws {
    let codebook = try Codebooks.make(spelling)
    let coefficients = try PseudoInverseCoefficients(codebook)
    let dim = codebook.dim
    var source = RandomStream(seed: 11)
    for length in [1, dim, 15 * dim + 1, 16 * dim, 17 * dim, 37 * dim + dim / 2 + 1, 6272 * dim] {
      var v = (0..<length).map { _ in Float(source.gaussian()) }
      // Zero sub-vectors draw nothing; a tiny and a huge one stress the running sums.
      if length >= 3 * dim {
        for j in 0..<dim { v[j] = 0; v[dim + j] *= 1e-30; v[2 * dim + j] *= 1e30 }
      }
      let layout = SubvectorLayout(length: length, dim: dim)
      var scalarRNG = RandomStream(seed: UInt64(length))
      var blockedRNG = scalarRNG
      let expected = v.withUnsafeBufferPointer { coefficients.sample($0, layout: layout, rng: &scalarRNG) }
      let blocked = v.withUnsafeBufferPointer { coefficients.sampleBlocked($0, layout: layout, rng: &blockedRNG) }
      #expect(blocked.indices == expected.indices, "\(spelling), length \(length)")
      #expect(blocked.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern), "\(spelling), length \(length)")
      #expect(blockedRNG == scalarRNG, "\(spelling), length \(length): the same draws")
    }
  }

  @Test func theKernelRunsWithAVX512() {
    guard CodecKernelTests.hasAVX512 else { return }
    let p = [Float](repeating: 1, count: 4 * 2), v: [Float] = [1, 2]
    var a = [Float](repeating: 0, count: 64), prefix = [Double](repeating: 0, count: 64)
    #expect(hsq_pinv_prefix16(p, 4, 2, v, 1, &a, &prefix) == 1)
    #expect(a[16] == 3 && prefix[48] == 12)
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
