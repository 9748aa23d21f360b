import CKernels
import Foundation
import HSQCodebooks
@testable import HSQCompressors
import HSQCore
import Testing

/// Unbiased HSQ's blocked sampler (hsq_pinv_prefix16 and a binary search) against the scalar loop, bit for bit.
@Suite struct PinvSamplingKernelTests {
  @Test(arguments: ["gaussian:dim=16,k=256,seed=3", "gaussian:dim=8,k=32,seed=1", "gaussian:dim=3,k=5,seed=2", "cross-polytope:dim=4,k=8", "orthogonal:dim=8,k=8"])
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
}
