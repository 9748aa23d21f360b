import CKernels
import Foundation
import HSQCore
import HSQTestSupport
import Testing

/// The AVX-512 sums of squares equal the Swift reductions bit for bit.
@Suite struct SumsOfSquaresTests {
  static func vector(_ n: Int, seed: UInt64, scale: Float) -> [Float] {
    var rng = RandomStream(seed: seed)
    return (0..<n).map { _ in scale * Float(rng.gaussian()) }
  }

  /// The first non-finite entry (hsq_first_non_finite) is the Swift loop's: NaN, ±infinity and their payloads at
  /// every position of a block of 64 and in the tail; the largest finite values and subnormals are finite.
  @Test(arguments: [0, 1, 63, 64, 65, 200, 100_352])
  func theFirstNonFiniteEntryIsTheSwiftLoops(n: Int) {
    var x = Self.vector(n, seed: 4, scale: 1)
    for i in stride(from: 0, to: n, by: 97) { x[i] = i % 2 == 0 ? .greatestFiniteMagnitude : -.leastNonzeroMagnitude }
    #expect(x.withUnsafeBufferPointer { Vec.firstNonFinite($0) } == nil)
    let bad: [Float] = [.nan, -.nan, .infinity, -.infinity, Float(bitPattern: 0x7F80_0001), Float(bitPattern: 0xFFC0_1234)]
    for (k, position) in [0, 1, 15, 16, 63, 64, 127, n / 2, n - 3, n - 1].filter({ $0 >= 0 && $0 < n }).enumerated() {
      var y = x
      y[position] = bad[k % bad.count]
      if position + 5 < n { y[position + 5] = .nan }
      let expected = y.withUnsafeBufferPointer { Vec.portableFirstNonFinite($0) }
      #expect(expected == position)
      #expect(y.withUnsafeBufferPointer { Vec.firstNonFinite($0) } == expected, "n = \(n), at \(position)")
    }
  }

  /// The copy that checks as it goes: every byte copied (to an unaligned target), and finite exactly when
  /// ``Vec/portableFirstNonFinite(_:)`` finds nothing, for a non-finite entry anywhere, the tail included.
  @Test(arguments: [0, 1, 15, 16, 17, 63, 64, 65, 100, 100_352 + 5])
  func theCheckingCopyCopiesAndChecksAsTheSwiftLoop(n: Int) {
    let x = Self.vector(n, seed: 6, scale: 1)
    let cases = [x] + [0, 15, 16, 63, 64, n - 1].filter { $0 >= 0 && $0 < n }.enumerated().map { k, position in
      var y = x
      y[position] = [Float.nan, .infinity, -.infinity, Float(bitPattern: 0xFF80_0001)][k % 4]
      return y
    }
    for y in cases {
      var bytes = [UInt8](repeating: 0xAB, count: 4 * n + 3)
      let (finite, reference) = y.withUnsafeBufferPointer { p in
        bytes.withUnsafeMutableBytes { (Vec.copyCheckingFinite(p, to: $0.baseAddress! + 1), Vec.portableFirstNonFinite(p) == nil) }
      }
      #expect(finite == reference, "n = \(n)")
      #expect(Array(bytes[1..<(4 * n + 1)]) == y.withUnsafeBytes { Array($0) }, "n = \(n): every byte copied")
      #expect(bytes[0] == 0xAB && bytes[4 * n + 1] == 0xAB && bytes[4 * n + 2] == 0xAB, "n = \(n): nothing else written")
    }
  }

  @Test(arguments: [0, 1, 7, 15, 16, 17, 31, 33, 100, 1000, 100_352])
  func cKernelMatchesSwift(n: Int) {
    for (seed, scale) in [(1 as UInt64, Float(1)), (2, 1e-20), (3, 1e18)] {
      let x = Self.vector(n, seed: seed, scale: scale)
      let y = x.enumerated().map { i, v in i % 3 == 0 ? v : v * 0.5 + 1e-3 * scale }
      let swiftNorm = x.withUnsafeBufferPointer { Vec.portableSquaredNorm($0) }
      let swiftBoth = Vec.portableSquaredNormAndDistance(x, y)
      #expect(Vec.squaredNorm(x).bitPattern == swiftNorm.bitPattern, "n = \(n), scale \(scale)")
      let both = Vec.squaredNormAndDistance(x, y)
      #expect(both.norm.bitPattern == swiftBoth.norm.bitPattern, "n = \(n), scale \(scale)")
      #expect(both.distance.bitPattern == swiftBoth.distance.bitPattern, "n = \(n), scale \(scale)")
      #expect(swiftBoth.distance.bitPattern == Vec.squaredDistance(y, x).bitPattern, "n = \(n): the fused distance is squaredDistance(y, x)")
      #expect(swiftBoth.norm.bitPattern == swiftNorm.bitPattern)
    }
  }

  @Test(arguments: [0, 1, 15, 16, 17, 1000, 100_352])
  func axpyAndDifferenceMatchTheScalarLoops(n: Int) {
    let x = Self.vector(n, seed: 4, scale: 1), y0 = Self.vector(n, seed: 5, scale: 3)
    var y = y0, expected = y0
    Vec.axpy(0.37, x, &y)
    for i in 0..<n { expected[i] += 0.37 * x[i] }
    #expect(y.map(\.bitPattern) == expected.map(\.bitPattern))
    #expect(Vec.difference(x, y0).map(\.bitPattern) == zip(x, y0).map { ($0 - $1).bitPattern })
  }

  /// The AVX-512 max-magnitude (hsq_norm_inf) against Swift's max(m, |x|) loop: NaN never taken, ±0, subnormals, ∞,
  /// ties of +x and −x, and the largest entry in the tail, in the vector body and first.
  @Test(arguments: [0, 1, 7, 31, 32, 33, 64, 100, 100_352])
  func normInfMatchesTheSwiftLoop(n: Int) {
    let special: [Float] = [.nan, -.nan, 0, -0, .leastNonzeroMagnitude, -.infinity, .greatestFiniteMagnitude, -2.5, 2.5]
    for trial in 0..<12 {
      var x = Self.vector(n, seed: UInt64(10 + trial), scale: trial % 3 == 0 ? 1e-40 : 1)
      if n > 0 {
        if trial >= 3 { x[(trial * 7919) % n] = special[trial % special.count] }
        if trial >= 6 { x[n - 1] = special[(trial + 4) % special.count] }
        if trial == 11 { x = x.map { _ in .nan } }
      }
      let expected = x.withUnsafeBufferPointer { Vec.portableNormInf($0) }
      #expect(Vec.normInf(x).bitPattern == expected.bitPattern, "n = \(n), trial \(trial)")
    }
  }

  /// Σ|xᵢ| (scaled-sign's scale, hsq-log's ‖a‖₁): the AVX-512 kernel against the Swift lanes, bit for bit, with ±0,
  /// subnormals and huge entries in the body and the tail.
  @Test(arguments: [0, 1, 7, 15, 16, 17, 31, 33, 100, 1000, 100_352])
  func norm1MatchesTheSwiftLanes(n: Int) {
    let special: [Float] = [0, -0, .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude, -3e30, 2.5]
    for trial in 0..<8 {
      var x = Self.vector(n, seed: UInt64(40 + trial), scale: trial % 3 == 0 ? 1e-40 : 1)
      for k in 0..<min(n, trial) { x[(k * 7919 + trial) % n] = special[(k + trial) % special.count] }
      let expected = x.withUnsafeBufferPointer { Vec.portableNorm1($0) }
      #expect(Vec.norm1(x).bitPattern == expected.bitPattern, "n = \(n), trial \(trial)")
      #expect(abs(expected - x.reduce(0.0) { $0 + Double(abs($1)) }) <= 1e-12 * expected, "n = \(n): the lanes sum what a loop sums")
    }
  }

  /// The worker's fused passes: (‖p‖², ‖q − p‖², p − q) in one pass equals the separate calls, and g + s·e into a new
  /// array equals the axpy on a copy, bit for bit (a worker's error-feedback memory and statistics).
  @Test(arguments: [0, 1, 15, 16, 17, 33, 1000, 100_352])
  func fusedWorkerPassesMatchTheSeparateCalls(n: Int) {
    for (seed, scale) in [(6 as UInt64, Float(1)), (7, 1e-20), (8, 1e18)] {
      let p = Self.vector(n, seed: seed, scale: scale), e = Self.vector(n, seed: seed + 10, scale: scale)
      let q = p.enumerated().map { i, v in i % 4 == 0 ? v : (v * 0.75).rounded() }
      let fused = Vec.squaredNormDistanceAndDifference(p, q)
      let separate = Vec.squaredNormAndDistance(p, q)
      #expect(fused.norm.bitPattern == separate.norm.bitPattern, "n = \(n), scale \(scale)")
      #expect(fused.distance.bitPattern == separate.distance.bitPattern, "n = \(n), scale \(scale)")
      #expect(fused.difference.map(\.bitPattern) == zip(p, q).map { ($0 - $1).bitPattern }, "n = \(n), scale \(scale)")
      var expected = p
      Vec.axpy(0.9, e, &expected)
      #expect(Vec.sum(p, plus: 0.9, times: e).map(\.bitPattern) == expected.map(\.bitPattern), "n = \(n), scale \(scale)")
    }
  }

  static let hasAVX512 = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").contains(" avx512f")

  @Test(.requires("a CPU with AVX-512 (avx512f in /proc/cpuinfo)", hasAVX512))
  func theCKernelRunsWhereTheCPUHasAVX512() throws {
    var norm = 0.0
    let x: [Float] = [1, 2, 3]
    #expect(hsq_sums_of_squares(x, nil, 3, &norm, nil) == 1)
    #expect(norm == 14)
  }
}
