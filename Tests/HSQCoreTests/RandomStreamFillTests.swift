import CKernels
import HSQCore
import Testing

/// The C fills of uniforms (hsq_uniform_float_pairs, hsq_uniform23_pairs) give, at every kernel level, the values
/// and the stream state that the same draws give one at a time.
@Suite struct RandomStreamFillTests {
  static let levels = [HSQ_KERNELS_AUTO, HSQ_KERNELS_AVX512, HSQ_KERNELS_AVX2, HSQ_KERNELS_PORTABLE]
  /// Around the C loop's block of 256 draws.
  static let pairCounts = [0, 1, 2, 7, 255, 256, 257, 1000, 2048]

  /// At every level: `fill` on a copy of a stream writes (into 2·pairs + 1 slots set to `unset`) the values `pair` gives
  /// for one draw at a time, nothing beyond them, and leaves the stream where those draws do.
  static func check<T: Equatable>(pairs: Int, unset: T, fill: (inout RandomStream, UnsafeMutablePointer<T>, hsq_kernel_level) -> Void,
                                  pair: (inout RandomStream) -> [T]) {
    for level in levels {
      var filled = RandomStream.derived(from: 11, purpose: "fill", pairs), single = filled
      var out = [T](repeating: unset, count: 2 * pairs + 1)
      out.withUnsafeMutableBufferPointer { fill(&filled, $0.baseAddress!, level) }
      let expected = (0..<pairs).flatMap { _ in pair(&single) }
      #expect(Array(out.prefix(2 * pairs)) == expected, "level \(level.rawValue)")
      #expect(out.last == unset, "nothing written past 2·pairs values")
      #expect(filled == single, "level \(level.rawValue): the same state after")
    }
  }

  @Test(arguments: pairCounts)
  func floatPairsAreTheDrawsOneAtATime(pairs: Int) {
    // Bit patterns, so that equality is of bits.
    Self.check(pairs: pairs, unset: UInt32.max, fill: { rng, out, level in
      out.withMemoryRebound(to: Float.self, capacity: 2 * pairs) { rng.fillUniformFloatPairs($0, pairs: pairs, level: level) }
    }, pair: { rng in
      let (a, b) = rng.uniformFloatPair()
      return [a.bitPattern, b.bitPattern]
    })
  }

  @Test(arguments: pairCounts)
  func bits23PairsAreTheDrawsOneAtATime(pairs: Int) {
    Self.check(pairs: pairs, unset: UInt32.max, fill: { rng, out, level in rng.fillUniform23Pairs(out, pairs: pairs, level: level) },
               pair: { rng in
      let x = rng.next()
      return [UInt32(truncatingIfNeeded: x >> 41), UInt32(truncatingIfNeeded: (x >> 18) & 0x7F_FFFF)]
    })
  }
}
