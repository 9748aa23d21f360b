import CKernels
import Foundation
import HSQCodebooks
@testable import HSQCompressors
import HSQCore
import Testing

/// The C paths of the HSQ codec (scalar levels, reconstruction) against their Swift forms, bit for bit.
@Suite struct CodecKernelTests {
  static var hasAVX512: Bool {
    ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").contains(" avx512vl")
  }

  @Test(arguments: [1, 2, 6, 8, 16])
  func levelsMatchSwift(bits: Int) throws {
    for (seed, n) in [(1 as UInt64, 1), (2, 7), (3, 8), (4, 9), (5, 6272), (6, 80)] {
      var rng = RandomStream(seed: seed)
      var u = (0..<n).map { _ in Float(rng.gaussian()) }
      if n > 3 { u[1] = u[0]; u[2] = -u[0] }  // repeated values
      let draws = (0..<n).map { _ in rng.uniformFloat() }
      let lo = Double(u.min()!), hi = Double(u.max()!)
      let s = 1 << bits
      let scale = hi > lo ? Double(s) / (hi - lo) : 1
      var swift = [UInt32](repeating: 0, count: n), c = [UInt32](repeating: .max, count: n)
      u.withUnsafeBufferPointer { ScalarQuantizer.levels($0, draws: draws, lo: lo, scale: scale, top: s - 1, into: &swift) }
      let ran = hsq_quantize_levels(u, draws, Int64(n), lo, scale, Int32(s), &c)
      if Self.hasAVX512 { #expect(ran == 1) }
      if ran == 1 { #expect(c == swift, "bits \(bits), n \(n)") }
      #expect(swift.allSatisfy { $0 <= UInt32(s) })
    }
  }

  @Test func reconstructionMatchesTheScalarLoop() throws {
    let codebook = try Codebooks.make("gaussian:dim=16,k=256,seed=3")
    var rng = RandomStream(seed: 5)
    for length in [16, 17, 31, 32, 100_352, 1280 + 5] {
      let layout = SubvectorLayout(length: length, dim: 16)
      let indices = (0..<layout.count).map { _ in Int32(rng.int(below: 256)) }
      let scalars = (0..<layout.count).map { _ in Float(rng.gaussian()) }
      var out = [Float](repeating: .nan, count: length)
      NearestCodewords.reconstruct(codebook: codebook, indices: indices, scalars: scalars, layout: layout, into: &out)
      var expected = [Float](repeating: 0, count: length)
      for i in 0..<length { expected[i] = scalars[i / 16] * codebook.vectors[Int(indices[i / 16]) * 16 + i % 16] }
      #expect(out == expected, "length \(length)")
    }
  }
}
