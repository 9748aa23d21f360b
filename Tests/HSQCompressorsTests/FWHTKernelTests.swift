import CKernels
import HSQCodebooks
@testable import HSQCompressors
import HSQCore
import Testing

/// The blocked, two-levels-at-a-time Walsh–Hadamard transform against the level-by-level loop, bit for bit.
@Suite struct FWHTKernelTests {
  static func reference(_ v: [Float]) -> [Float] {
    var x = v
    var h = 1
    while h < x.count {
      for i in stride(from: 0, to: x.count, by: 2 * h) {
        for j in i..<(i + h) {
          let u = x[j], w = x[j + h]
          x[j] = u + w
          x[j + h] = u - w
        }
      }
      h *= 2
    }
    return x
  }

  @Test(arguments: [0, 1, 2, 3, 4, 8, 11, 12, 13, 14, 17, 18])
  func matchesTheLevelByLevelLoop(log2n: Int) {
    var rng = RandomStream(seed: UInt64(log2n))
    let n = 1 << log2n
    let v = (0..<n).map { i in i % 7 == 0 ? Float(rng.gaussian()) * 1e20 : Float(rng.gaussian()) }
    var x = v
    hsq_fwht(&x, Int64(n))
    #expect(x.map(\.bitPattern) == Self.reference(v).map(\.bitPattern), "n = \(n)")
  }
}

/// hsq-log's decode and nearest-coefficient pieces against the loops they replaced, bit for bit.
@Suite struct HSQLogPiecesTests {
  @Test func writeCodewordIsAddCodewordIntoZeros() throws {
    for log2d in [0, 1, 2, 6, 10, 17] {
      let d = 1 << log2d
      let basis = try RandomizedHadamardBasis(dimension: d, seed: UInt64(log2d))
      for k in Set([0, d - 1, d / 2, d / 3, (d * 5) / 7]) {
        for a: Float in [0, -0.0, 1.5, -2.5, 1e-40, 3e38] {
          var added = [Float](repeating: 0, count: d), written = added
          basis.addCodeword(k, scaledBy: a, to: &added)
          basis.writeCodeword(k, scaledBy: a, into: &written)
          #expect(written.map(\.bitPattern) == added.map(\.bitPattern), "d \(d), k \(k), a \(a)")
        }
      }
    }
  }

  @Test func largestMagnitudeIndexIsTheFirstLargest() {
    func loop(_ a: [Float]) -> Int {
      var best: Float = -1, k = 0
      for j in 0..<a.count where abs(a[j]) > best { best = abs(a[j]); k = j }
      return k
    }
    var rng = RandomStream(seed: 4)
    let cases: [[Float]] = [
      [], [0], [-0.0, 0], [1, -1], [-2, 2, -2], [.nan, 1, -3, 3], [.nan, .nan], [.nan, 0, -0.0],
      [.infinity, -.infinity, 5], [1e-45, -1e-45], (0..<100_352).map { _ in Float(rng.gaussian()) },
    ]
    for a in cases { #expect(HSQLogCompressor.largestMagnitudeIndex(a) == loop(a), "\(a.prefix(6))") }
  }
}
