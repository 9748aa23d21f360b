import CKernels
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
