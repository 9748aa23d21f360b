import CKernels
@testable import HSQCodebooks
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

  /// Every kernel level (the AVX-512 path with its in-register low levels, and the portable C), sizes below,
  /// at and past one vector of sixteen and one L1 block, odd and even numbers of levels.
  @Test(arguments: [0, 1, 2, 3, 4, 5, 6, 8, 11, 12, 13, 14, 17, 18])
  func matchesTheLevelByLevelLoop(log2n: Int) {
    var rng = RandomStream(seed: UInt64(log2n))
    let n = 1 << log2n
    let v = (0..<n).map { i in i % 7 == 0 ? Float(rng.gaussian()) * 1e20 : Float(rng.gaussian()) }
    let expected = Self.reference(v).map(\.bitPattern)
    for level in [HSQ_KERNELS_AUTO, HSQ_KERNELS_AVX512, HSQ_KERNELS_AVX2, HSQ_KERNELS_PORTABLE] {
      var x = v
      hsq_fwht(&x, Int64(n), level)
      #expect(x.map(\.bitPattern) == expected, "n = \(n), level \(level.rawValue)")
    }
  }

  /// The basis's sign-and-scale kernel (hsq_sign_scale), every level, against its Swift loop: dimensions below,
  /// at and past one 64-bit sign word, signed zeros, subnormals, infinities and NaN included (the kernel alone;
  /// the whole transform on the finite entries).
  @Test(arguments: [0, 1, 3, 4, 5, 6, 7, 10, 17])
  func signAndScaleMatchTheSwiftLoop(log2n: Int) throws {
    let n = 1 << log2n
    let basis = try RandomizedHadamardBasis(dimension: n, seed: UInt64(40 + log2n))
    var rng = RandomStream(seed: UInt64(log2n))
    let special: [Float] = [0, -0, .leastNonzeroMagnitude, -.leastNormalMagnitude, .infinity, -.greatestFiniteMagnitude, .nan]
    let v = (0..<n).map { i in i % 9 == 4 ? special[(i / 9) % special.count] : Float(rng.gaussian()) }
    let scale = 1 / Float(Double(n).squareRoot())
    let finite = v.map { $0.isFinite ? $0 : 1e30 }
    var expected = finite
    basis.portableTransform(&expected)
    for level in [HSQ_KERNELS_AUTO, HSQ_KERNELS_AVX512, HSQ_KERNELS_AVX2, HSQ_KERNELS_PORTABLE] {
      var x = v
      basis.signBits.withUnsafeBufferPointer { hsq_sign_scale(&x, Int64(n), $0.baseAddress, scale, level) }
      #expect(x.map(\.bitPattern) == v.indices.map { (v[$0] * (basis.signBit($0) ? -scale : scale)).bitPattern }, "n = \(n), level \(level.rawValue)")
      var y = finite
      basis.transform(&y, level: level)
      #expect(y.map(\.bitPattern) == expected.map(\.bitPattern), "n = \(n), level \(level.rawValue): the transform")
    }
  }
}

/// hsq-log's decode and nearest-coefficient pieces against the loops they replaced, bit for bit.
@Suite struct HSQLogPiecesTests {
  @Test func writeCodewordIsAddCodewordIntoZeros() throws {
    for log2d in [0, 1, 2, 6, 10, 17] {
      let d = 1 << log2d
      let basis = try RandomizedHadamardBasis(dimension: d, seed: UInt64(log2d))
      for k in Set([0, d - 1, d / 2, d / 3, (d * 5) / 7]) {
        for a: Float in [0, -0.0, 1.5, -2.5, .leastNormalMagnitude / 1024, 3e38] {  // a subnormal among them
          var added = [Float](repeating: 0, count: d), written = added
          basis.addCodeword(k, scaledBy: a, to: &added)
          basis.writeCodeword(k, scaledBy: a, into: &written)
          #expect(written.map(\.bitPattern) == added.map(\.bitPattern), "d \(d), k \(k), a \(a)")
        }
      }
    }
  }

  /// hsq-log's decode writes only the first d entries of the padded codeword, and its encode pads the input in the
  /// transform's own buffer: the same bits as the whole codeword cut, and as the input padded first.
  @Test func aCodewordPrefixAndAZeroPaddedTransformAreTheWholeOnesCut() throws {
    for log2d in [0, 1, 4, 5, 10, 17] {
      let d = 1 << log2d
      let basis = try RandomizedHadamardBasis(dimension: d, seed: UInt64(log2d + 7))
      for k in Set([0, d - 1, d / 2, (d * 5) / 7]) {
        for a: Float in [0, -0.0, 1.5, -2.5, .leastNormalMagnitude / 1024] {
          var whole = [Float](repeating: 0, count: d)
          basis.writeCodeword(k, scaledBy: a, into: &whole)
          for count in Set([0, 1, d / 3, max(0, d - 1), d]) {
            let prefix = basis.codewordPrefix(k, scaledBy: a, count: count)
            #expect(prefix.map(\.bitPattern) == whole.prefix(count).map(\.bitPattern), "d \(d), k \(k), a \(a), count \(count)")
          }
        }
      }
      var rng = RandomStream(seed: UInt64(log2d))
      for length in Set([0, 1, d / 2 + 1, d]) where length <= d {
        let v = (0..<length).map { _ in Float(rng.gaussian()) }
        let padded = v + [Float](repeating: 0, count: d - length)
        #expect(basis.coefficients(ofZeroPadded: v).map(\.bitPattern) == basis.coefficients(of: padded).map(\.bitPattern), "d \(d), length \(length)")
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
      [.infinity, -.infinity, 5], [.leastNonzeroMagnitude, -.leastNonzeroMagnitude], (0..<100_352).map { _ in Float(rng.gaussian()) },
    ]
    for a in cases { #expect(HSQLogCompressor.largestMagnitudeIndex(a) == loop(a), "\(a.prefix(6))") }
  }
}
