import CKernels
import HSQCore

/// The baseline compressors' shared pieces: sign fields and uniform draws for their hot loops.
///
/// The bit layout itself has one owner, HSQCore's ``BitPacker`` / ``BitUnpacker``
/// (``Payload/packing(bitCount:_:)``, ``Payload/unpacking(_:)``), the same as ``BitWriter``'s.
enum BaselineBits {
  /// Values made two per 64-bit draw of a ``RandomStream``: the i-th value of an encode is the first of draw ⌊i/2⌋
  /// when i is even and its second when i is odd, whatever the block sizes asked for.
  struct PairedDraws<Split: DrawSplit> {
    var rng: RandomStream
    var spare = Split.zero
    var hasSpare = false
    /// The most ``fill(_:_:)``'s conversion may use (every level gives the same values).
    let level: hsq_kernel_level

    init(_ rng: RandomStream, level: hsq_kernel_level = HSQ_KERNELS_AUTO) {
      self.rng = rng
      self.level = level
    }

    @inline(__always)
    mutating func next() -> Split.Value {
      if hasSpare {
        hasSpare = false
        return spare
      }
      let (first, second) = Split.pair(rng.next())
      spare = second
      hasSpare = true
      return first
    }

    /// Writes the next `count` values to `out` (the values `count` calls of ``next()`` give, without a branch per value).
    @inline(__always)
    mutating func fill(_ out: UnsafeMutablePointer<Split.Value>, _ count: Int) {
      var i = 0
      if hasSpare && count > 0 {
        out[0] = spare
        hasSpare = false
        i = 1
      }
      let pairs = (count - i) / 2
      Split.fill(&rng, out + i, pairs: pairs, level: level)
      i += 2 * pairs
      if i < count { out[i] = next() }
    }
  }

  /// How one 64-bit draw splits into two values.
  protocol DrawSplit {
    associatedtype Value
    static var zero: Value { get }
    static func pair(_ x: UInt64) -> (Value, Value)
    /// The values of the next `pairs` draws, `pair` of each in order (a C loop).
    static func fill(_ rng: inout RandomStream, _ out: UnsafeMutablePointer<Value>, pairs: Int, level: hsq_kernel_level)
  }

  /// Uniform Floats in [0, 1), the same values as ``RandomStream/uniformFloatPair()`` (converted through Int32,
  /// which is faster than from UInt64).
  enum UniformFloats: DrawSplit {
    static let zero: Float = 0
    @inline(__always)
    static func pair(_ x: UInt64) -> (Float, Float) {
      (Float(Int32(truncatingIfNeeded: x >> 40)) * 0x1p-24,
       Float(Int32(truncatingIfNeeded: (x >> 8) & 0xFF_FFFF)) * 0x1p-24)
    }
    static func fill(_ rng: inout RandomStream, _ out: UnsafeMutablePointer<Float>, pairs: Int, level: hsq_kernel_level) {
      rng.fillUniformFloatPairs(out, pairs: pairs, level: level)
    }
  }

  /// Uniform 23-bit integers: bits 63…41 and 40…18 of the draw.
  enum Uniform23Bits: DrawSplit {
    static let zero: UInt32 = 0
    @inline(__always)
    static func pair(_ x: UInt64) -> (UInt32, UInt32) {
      (UInt32(truncatingIfNeeded: x >> 41), UInt32(truncatingIfNeeded: (x >> 18) & 0x7F_FFFF))
    }
    static func fill(_ rng: inout RandomStream, _ out: UnsafeMutablePointer<UInt32>, pairs: Int, level: hsq_kernel_level) {
      rng.fillUniform23Pairs(out, pairs: pairs, level: level)
    }
  }

  /// A stream of uniform Floats in [0, 1), two per draw (QSGD's and TernGrad's rounding draws).
  typealias Uniforms = PairedDraws<UniformFloats>
  /// A stream of uniform 23-bit integers, two per draw (natural's rounding draws).
  typealias Uniform23 = PairedDraws<Uniform23Bits>
}

extension BaselineBits {
  /// One sign bit per coordinate (1 = negative), 32 to a field (the fields from ``hsq_sign_words``).
  enum Signs {
    static func put(_ v: UnsafeBufferPointer<Float>, into packer: inout BitPacker, level: hsq_kernel_level = HSQ_KERNELS_AUTO) {
      guard let base = v.baseAddress, !v.isEmpty else { return }
      let count = (v.count + 31) / 32
      withUnsafeTemporaryAllocation(of: UInt32.self, capacity: count) { words in
        hsq_sign_words(base, Int64(v.count), words.baseAddress!, level)
        for k in 0..<count { packer.put(words[k], bits: min(32, v.count - 32 * k)) }
      }
    }

    /// `d` values ±`magnitude` from sign bits (``hsq_sign_values``).
    static func take(_ d: Int, magnitude: Float, from reader: inout BitUnpacker, level: hsq_kernel_level = HSQ_KERNELS_AUTO) -> [Float] {
      guard d > 0 else { return [] }
      let count = (d + 31) / 32
      return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: count) { words in
        for k in 0..<count { words[k] = reader.take(bits: min(32, d - 32 * k)) }
        return [Float](unsafeUninitializedCapacity: d) { buffer, initialized in
          hsq_sign_values(words.baseAddress!, Int64(d), magnitude, buffer.baseAddress!, level)
          initialized = d
        }
      }
    }
  }
}
