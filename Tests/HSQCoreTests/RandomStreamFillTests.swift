import CKernels
import HSQCore
import Testing

/// The C fills of uniforms (hsq_uniform_float_pairs, hsq_uniform23_pairs) give, at every kernel level, the values
/// and the stream state that the same draws give one at a time.
@Suite struct RandomStreamFillTests {
  static let levels = [HSQ_KERNELS_AUTO, HSQ_KERNELS_AVX512, HSQ_KERNELS_AVX2, HSQ_KERNELS_PORTABLE]
  /// Around the C loop's block of 256 draws.
  static let pairCounts = [0, 1, 2, 7, 255, 256, 257, 1000, 2048]

  @Test(arguments: pairCounts)
  func floatPairsAreTheDrawsOneAtATime(pairs: Int) {
    for level in Self.levels {
      var filled = RandomStream.derived(from: 11, purpose: "fill", pairs), single = filled
      var out = [Float](repeating: .nan, count: 2 * pairs + 1)
      out.withUnsafeMutableBufferPointer { filled.fillUniformFloatPairs($0.baseAddress!, pairs: pairs, level: level) }
      let expected = (0..<pairs).flatMap { _ in
        let (a, b) = single.uniformFloatPair()
        return [a, b]
      }
      #expect(out.prefix(2 * pairs).map(\.bitPattern) == expected.map(\.bitPattern), "level \(level.rawValue)")
      #expect(out.last!.isNaN, "nothing written past 2·pairs values")
      #expect(filled == single, "level \(level.rawValue): the same state after")
    }
  }

  @Test(arguments: pairCounts)
  func bits23PairsAreTheDrawsOneAtATime(pairs: Int) {
    for level in Self.levels {
      var filled = RandomStream.derived(from: 12, purpose: "fill", pairs), single = filled
      var out = [UInt32](repeating: .max, count: 2 * pairs + 1)
      out.withUnsafeMutableBufferPointer { filled.fillUniform23Pairs($0.baseAddress!, pairs: pairs, level: level) }
      let expected = (0..<pairs).flatMap { _ in
        let x = single.next()
        return [UInt32(truncatingIfNeeded: x >> 41), UInt32(truncatingIfNeeded: (x >> 18) & 0x7F_FFFF)]
      }
      #expect(Array(out.prefix(2 * pairs)) == expected, "level \(level.rawValue)")
      #expect(out.last == .max, "nothing written past 2·pairs values")
      #expect(filled == single, "level \(level.rawValue): the same state after")
    }
  }
}
