import CKernels
import HSQCore
import Testing

@testable import HSQCompressors

/// Top-k's radix select against the quickselect on (|v_i| bits, ~i) keys it replaced, which defines
/// the kept set (ties to the smaller index): the same indices for every k on random and adversarial inputs.
@Suite struct TopKSelectionTests {
  /// The former `TopKCompressor.largest`: distinct keys |v_i|.bitPattern << 32 | ~i, the k largest, indices sorted.
  static func reference(_ v: [Float], _ k: Int) -> [Int] {
    let d = v.count
    if k >= d { return Array(0..<d) }
    if k == 0 { return [] }
    var keys = (0..<d).map { UInt64(abs(v[$0]).bitPattern) << 32 | UInt64(~UInt32($0)) }
    keys.sort(by: >)
    return keys[0..<k].map { Int(~UInt32(truncatingIfNeeded: $0)) }.sorted()
  }

  static func inputs(length n: Int, rng: inout RandomStream) -> [(String, [Float])] {
    let gaussian = (0..<n).map { _ in Float(rng.gaussian()) }
    return [
      ("gaussian", gaussian),
      ("zeros", [Float](repeating: 0, count: n)),
      ("signed zeros", (0..<n).map { $0 % 2 == 0 ? 0 : -0 }),
      ("constant ±1", (0..<n).map { $0 % 3 == 0 ? -1 : 1 }),
      ("few values", (0..<n).map { _ in Float(rng.int(below: 4)) - 1.5 }),
      ("subnormals", (0..<n).map { _ in Float(bitPattern: UInt32(rng.int(below: 8))) * (rng.int(below: 2) == 0 ? 1 : -1) }),
      ("same top bits", (0..<n).map { _ in Float(bitPattern: 0x3F80_0000 | UInt32(rng.int(below: 1 << 12))) }),
      ("extremes", (0..<n).map { [Float.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, 0, 1][$0 % 5] }),
    ]
  }

  @Test("the kept indices equal the quickselect's for every k, lengths 0...67")
  func smallLengths() {
    var rng = RandomStream(seed: 18)
    for n in 0...67 {
      for (label, v) in Self.inputs(length: n, rng: &rng) {
        for k in 0...n {
          #expect(TopKCompressor.largest(v, k) == Self.reference(v, k), "\(label), d = \(n), k = \(k)")
        }
      }
    }
  }

  /// k ≤ d/16 takes the sampled floor and the candidate pass (AVX-512 and portable), larger k the select on every entry;
  /// the adversarial inputs (ties, one top digit, few values) make the floor leave too many or too few candidates.
  @Test("the kept indices equal the quickselect's on large inputs", arguments: [1, 17, 1004, 6272, 50_000, 100_351])
  func largeLengths(k: Int) {
    var rng = RandomStream(seed: UInt64(19 + k))
    for (label, v) in Self.inputs(length: 100_352, rng: &rng) + [("ramp", (0..<100_352).map { Float($0 % 5000) })] {
      let expected = Self.reference(v, k)
      for level in [HSQ_KERNELS_AUTO, HSQ_KERNELS_PORTABLE] {
        #expect(TopKCompressor.largest(v, k, level: level) == expected, "\(label), k = \(k), level \(level.rawValue)")
      }
    }
  }

  /// The sampled path runs (and is what the results above exercise) on a Gaussian vector with k = 1 %.
  @Test func aOnePercentSelectionOnAGaussianVectorTakesTheSampledPath() throws {
    var rng = RandomStream(seed: 20)
    let v = (0..<100_352).map { _ in Float(rng.gaussian()) }
    let kept = try #require(v.withUnsafeBufferPointer { TopKCompressor.largestAboveSampledFloor($0, 1004, level: HSQ_KERNELS_AUTO) })
    #expect(kept == Self.reference(v, 1004))
  }

  /// The candidate pass at every level against the plain loop: the same candidates in index order, −1 past the capacity,
  /// and nothing written beyond it (the AVX-512 path stores sixteen lanes at a time until it comes near the end).
  @Test(arguments: [KernelLevelTests.levels[0], KernelLevelTests.levels[3]].map(\.0))
  func theCandidatePassKeepsToItsCapacity(levelName: String) {
    let level = KernelLevelTests.levels.first { $0.0 == levelName }!.1
    var rng = RandomStream(seed: 21)
    let n = 10_007
    let x = (0..<n).map { _ in Float(rng.gaussian()) }
    let floor = Float(1.5).bitPattern
    let expected = (0..<n).filter { abs(x[$0]).bitPattern >= floor }
    let sentinel: UInt32 = 0xDEAD_BEEF
    for capacity in [expected.count + 40, expected.count + 15, expected.count + 1, expected.count, expected.count - 1, 0] {
      var bits = [UInt32](repeating: sentinel, count: capacity + 32), indices = bits
      let found = hsq_magnitudes_at_least(x, Int64(n), floor, &bits, &indices, Int64(capacity), level)
      if capacity >= expected.count {
        #expect(found == Int64(expected.count), "\(levelName), capacity \(capacity)")
        #expect(indices.prefix(expected.count).map(Int.init) == expected, "\(levelName), capacity \(capacity)")
        #expect(bits.prefix(expected.count) == expected.map { abs(x[$0]).bitPattern }[...], "\(levelName), capacity \(capacity)")
      } else {
        #expect(found == -1, "\(levelName), capacity \(capacity)")
      }
      #expect(bits[capacity...].allSatisfy { $0 == sentinel } && indices[capacity...].allSatisfy { $0 == sentinel },
              "\(levelName), capacity \(capacity): written past the capacity")
    }
  }
}
