import Foundation
import HSQCodebooks
@testable import HSQCompressors
import HSQCore
import Testing

/// THEORY.md §8's closed-form cases for the HSQ compressors and the scalar quantizer.
///
/// Codebooks whose entries are exact in Float32 (I₄, H₄/2, ±I₃) give exact
/// answers; the 2-D regular codebook's cosines are rounded to Float32, so its
/// cases allow 1e-6 (a few Float32 roundings of O(1) values).
@Suite struct HSQTheoryTests {
  static func codebook(_ name: String, dim: Int, rows: [[Float]]) throws -> Codebook {
    try Codebook(name: name, dim: dim, count: rows.count, rows: rows.flatMap { $0 })
  }

  static let i4 = try! codebook("I4", dim: 4, rows: (0..<4).map { i in (0..<4).map { $0 == i ? 1 : 0 } })
  static let h4 = try! codebook("H4/2", dim: 4, rows: [[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]].map { $0.map { $0 / 2 } })
  static let pmI3 = try! codebook("[I3,-I3]", dim: 3, rows: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [-1, 0, 0], [0, -1, 0], [0, 0, -1]])
  static let regular3 = try! codebook("regular-2d-3", dim: 2, rows: (0..<3).map { k in
    let t = Double.pi * Double(k) / 3
    return [Float(cos(t)), Float(sin(t))]
  })

  /// Monte Carlo mean of ‖Q(v) − v‖² and its standard error over `n` seeded draws.
  static func monteCarlo(_ c: any Compressor, _ v: [Float], n: Int, label: String) throws -> (mean: Double, se: Double) {
    var sum = 0.0, sumSq = 0.0
    for i in 0..<n {
      var rng = RandomStream.derived(from: 8, purpose: label, i)
      let (out, _) = try c.roundTrip(v, rng: &rng)
      let e = Vec.squaredDistance(out, v)
      sum += e; sumSq += e * e
    }
    let mean = sum / Double(n)
    let variance = max(0, sumSq / Double(n) - mean * mean)
    return (mean, (variance / Double(n)).squareRoot())
  }

  @Test func case1IdentityAllOnes() throws {
    let v: [Float] = [1, 1, 1, 1]
    let unbiased = try HSQUnbiasedCompressor(codebook: Self.i4)
    #expect(unbiased.expectedError(v) == 12)
    for i in 0..<50 {
      var rng = RandomStream.derived(from: 1, purpose: "case1", i)
      let (out, _) = try unbiased.roundTrip(v, rng: &rng)
      #expect(Vec.squaredDistance(out, v) == 12, "draw \(i) gave \(out)")
    }
    #expect(HSQCompressor(codebook: Self.i4, normBits: 32).expectedError(v) == 3)
  }

  @Test func case2IdentitySampling() throws {
    let v: [Float] = [3, -1, 0, 2]
    let unbiased = try HSQUnbiasedCompressor(codebook: Self.i4)
    #expect(unbiased.expectedError(v) == 22)
    let n = 6000
    var counts: [[Float]: Int] = [:]
    for i in 0..<n {
      var rng = RandomStream.derived(from: 2, purpose: "case2", i)
      counts[try unbiased.roundTrip(v, rng: &rng).output, default: 0] += 1
    }
    let expected: [[Float]: Double] = [[6, 0, 0, 0]: 1.0 / 2, [0, -6, 0, 0]: 1.0 / 6, [0, 0, 0, 6]: 1.0 / 3]
    #expect(Set(counts.keys) == Set(expected.keys), "outputs \(counts.keys)")
    for (output, p) in expected {
      let observed = Double(counts[output] ?? 0) / Double(n)
      let se = (p * (1 - p) / Double(n)).squareRoot()
      #expect(abs(observed - p) <= 5 * se, "P(\(output)) = \(observed), theory \(p)")
    }
    let nn = HSQCompressor(codebook: Self.i4, normBits: 32)
    var rng = RandomStream(seed: 0)
    #expect(try nn.roundTrip(v, rng: &rng).output == [3, 0, 0, 0])
    #expect(nn.expectedError(v) == 5)
  }

  @Test func case3HadamardIsWorstCase() throws {
    let v: [Float] = [1, 0, 0, 0]
    let unbiased = try HSQUnbiasedCompressor(codebook: Self.h4)
    #expect(unbiased.expectedError(v) == 3)
    // ω(C) = K/σ_min² − 1 = 4/1 − 1 = 3 and this v attains it.
    #expect(abs(unbiased.omegaUpperBound - 3) < 1e-12)
    #expect(HSQCompressor(codebook: Self.h4, normBits: 32).expectedError(v) == 0.75)
    let mc = try Self.monteCarlo(unbiased, v, n: 2000, label: "case3")
    #expect(abs(mc.mean - 3) <= 5 * mc.se + 1e-12, "MC \(mc.mean) ± \(mc.se)")
  }

  @Test func case4PlusMinusIdentity() throws {
    let unbiased = try HSQUnbiasedCompressor(codebook: Self.pmI3)
    #expect(unbiased.expectedError([1, 2, 2]) == 16)
    let mc = try Self.monteCarlo(unbiased, [1, 2, 2], n: 4000, label: "case4")
    #expect(abs(mc.mean - 16) <= 5 * mc.se, "MC \(mc.mean) ± \(mc.se)")
  }

  @Test func case5RegularTriangle() throws {
    let unbiased = try HSQUnbiasedCompressor(codebook: Self.regular3)
    let variance = try #require(unbiased.expectedError([1, 0]))
    #expect(abs(variance - 7.0 / 9) < 1e-6)
    let nn = HSQCompressor(codebook: Self.regular3, normBits: 32)
    let v = [Float(cos(Double.pi / 6)), Float(sin(Double.pi / 6))]
    let error = try #require(nn.expectedError(v))
    #expect(abs(error - 0.25) < 1e-6)
    let mc = try Self.monteCarlo(unbiased, [1, 0], n: 4000, label: "case5")
    #expect(abs(mc.mean - 7.0 / 9) <= 5 * mc.se, "MC \(mc.mean) ± \(mc.se)")
  }

  @Test func case8ScalarQuantizer() throws {
    let u: [Float] = [0, 0.3, 1]
    let q = ScalarQuantizer(bits: 1)
    #expect(abs(u.withUnsafeBufferPointer { q.variance($0) } - 0.06) < 1e-7)
    let n = 20000
    var sums = [Double](repeating: 0, count: 3)
    for i in 0..<n {
      var rng = RandomStream.derived(from: 3, purpose: "case8", i)
      var writer = BitWriter()
      let levels = u.withUnsafeBufferPointer { q.quantize($0, into: &writer, rng: &rng) }
      for l in levels { writer.write(l, bits: q.bitsPerScalar) }
      var reader = BitReader(writer.payload())
      let (lo, delta) = try q.readHeader(&reader, count: 3)
      let values = try (0..<3).map { _ in q.value(level: try reader.read(bits: q.bitsPerScalar), lo: lo, delta: delta) }
      try reader.finish()
      #expect(values[0] == 0 && values[2] == 1 && (values[1] == 0 || values[1] == 0.5), "draw \(i): \(values)")
      for j in 0..<3 { sums[j] += Double(values[j]) }
    }
    // Only the middle scalar is random: variance 0.06, so SE = √(0.06/n).
    let se = (0.06 / Double(n)).squareRoot()
    #expect(abs(sums[1] / Double(n) - 0.3) <= 5 * se)
    #expect(q.totalBits(count: 3) == 64 + 3 * 2)
  }

  /// The scalars' range (hsq_range) is the Swift loop's bit for bit: the first of the least values and the last of
  /// the greatest decide a zero's sign; NaNs after the first entry are passed over, a NaN first entry is the range.
  @Test func theRangeIsTheSwiftLoops() {
    var rng = RandomStream(seed: 12)
    let special: [Float] = [0, -0.0, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, -.greatestFiniteMagnitude]
    for n in [1, 2, 15, 16, 17, 40, 6272] {
      for trial in 0..<40 {
        var u = (0..<n).map { _ in trial % 4 == 0 ? 0 : Float(rng.gaussian()) * (trial % 3 == 0 ? -1 : 1) }
        for _ in 0..<(trial % 5) { u[rng.int(below: n)] = special[rng.int(below: special.count)] }
        if trial % 7 == 0 { u = u.map { $0 == 0 ? -0.0 : abs($0) } }
        let (lo, hi) = u.withUnsafeBufferPointer { ScalarQuantizer.range($0) }
        let (portableLo, portableHi) = u.withUnsafeBufferPointer { ScalarQuantizer.portableRange($0) }
        #expect(lo.bitPattern == portableLo.bitPattern && hi.bitPattern == portableHi.bitPattern, "n = \(n), trial \(trial): \(u.prefix(20))")
      }
    }
  }

  /// The decoder's vectorized scalars are ``ScalarQuantizer/value(level:lo:delta:)`` of every level it accepts (0…2ⁿ),
  /// bit for bit, for n = 1…16 and float32.
  @Test func everyLevelDecodesToItsValue() {
    for bits in Array(1...16) + [32] {
      let q = ScalarQuantizer(bits: bits)
      let levels: [UInt32] = bits == 32 ? [0, 0x8000_0000, 0x3f80_0000, 0x7f7f_ffff, 1] : Array(0...UInt32(1 << bits))
      for (lo, delta) in [(Float(-3.75), Float(0.013)), (-0.0, 1e-30), (1e30, 2.5e25)] {
        let values = q.values(levels: levels, lo: lo, delta: delta).map(\.bitPattern)
        #expect(values == levels.map { q.value(level: $0, lo: lo, delta: delta).bitPattern }, "n = \(bits), lo \(lo), Δ \(delta)")
      }
    }
  }

  @Test func paddingWhenDimDoesNotDivide() throws {
    let nn = HSQCompressor(codebook: Self.i4, normBits: 32)
    let v: [Float] = [1, -2, 3, 4, 5, -7]
    var rng = RandomStream(seed: 0)
    let (out, payload) = try nn.roundTrip(v, rng: &rng)
    #expect(out == [0, 0, 0, 4, 0, -7])
    #expect(payload.bitCount == 2 * (2 + 32))
  }

  @Test func kernelMatchesPortablePath() throws {
    var rng = RandomStream(seed: 11)
    let rows = (0..<(37 * 16)).map { _ in Float(rng.gaussian()) }
    let codebook = try Codebook(name: "g", dim: 16, count: 37, rows: rows)
    let v = (0..<(16 * 9 + 5)).map { _ in Float(rng.gaussian()) }
    let search = NearestCodewords(codebook)
    let layout = SubvectorLayout(length: v.count, dim: 16)
    let fast = v.withUnsafeBufferPointer { search.search($0, layout: layout) }
    var best = [Int32](), dots = [Float]()
    for m in 0..<layout.count {
      var sub = [Float](repeating: 0, count: 16)
      for j in 0..<16 where m * 16 + j < v.count { sub[j] = v[m * 16 + j] }
      var k = 0, top = -1.0, dot = 0.0
      for c in 0..<37 {
        let s = zip(sub, codebook.codeword(c)).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        if abs(s) > top { top = abs(s); k = c; dot = s }
      }
      best.append(Int32(k)); dots.append(Float(dot))
    }
    #expect(fast.indices == best)
    for m in 0..<layout.count { #expect(abs(fast.dots[m] - dots[m]) <= 1e-5 * max(1, abs(dots[m]))) }
  }
}
