import CKernels
import HSQCore

/// The baseline compressors' shared pieces: sign fields and uniform draws for their hot loops.
///
/// The bit layout itself has one owner, HSQCore's ``BitPacker`` / ``BitUnpacker``
/// (``Payload/packing(bitCount:_:)``, ``Payload/unpacking(_:)``), the same as ``BitWriter``'s.
enum BaselineBits {
  /// A stream of uniform Floats in [0, 1), two per 64-bit draw (``RandomStream/uniformFloatPair()``).
  ///
  /// The i-th uniform of an encode is the high half of draw ⌊i/2⌋ when i is even and its low
  /// half when i is odd, whatever the block sizes asked for.
  struct Uniforms {
    var rng: RandomStream
    var spare: Float = 0
    var hasSpare = false

    init(_ rng: RandomStream) { self.rng = rng }

    /// Writes the next `count` uniforms to `out`.
    @inline(__always)
    mutating func fill(_ out: UnsafeMutablePointer<Float>, _ count: Int) {
      var i = 0
      if hasSpare && count > 0 {
        out[0] = spare
        hasSpare = false
        i = 1
      }
      while i + 2 <= count {
        let (a, b) = Self.pair(rng.next())
        out[i] = a
        out[i + 1] = b
        i += 2
      }
      if i < count {
        let (a, b) = Self.pair(rng.next())
        out[i] = a
        spare = b
        hasSpare = true
      }
    }

    /// The two uniforms of one draw, the same values as ``RandomStream/uniformFloatPair()``
    /// (converted through Int32, which is faster than from UInt64).
    @inline(__always)
    static func pair(_ x: UInt64) -> (Float, Float) {
      (Float(Int32(truncatingIfNeeded: x >> 40)) * 0x1p-24,
       Float(Int32(truncatingIfNeeded: (x >> 8) & 0xFF_FFFF)) * 0x1p-24)
    }
  }

  /// A stream of uniform 23-bit integers, two per 64-bit draw (bits 63…41 and 40…18).
  struct Uniform23 {
    var rng: RandomStream
    var spare: UInt32 = 0
    var hasSpare = false

    init(_ rng: RandomStream) { self.rng = rng }

    @inline(__always)
    mutating func next() -> UInt32 {
      if hasSpare {
        hasSpare = false
        return spare
      }
      let x = rng.next()
      spare = UInt32(truncatingIfNeeded: (x >> 18) & 0x7F_FFFF)
      hasSpare = true
      return UInt32(truncatingIfNeeded: x >> 41)
    }

    /// Writes the next `count` values to `out`: those `count` calls of ``next()`` give, two per draw without a
    /// branch per value.
    @inline(__always)
    mutating func fill(_ out: UnsafeMutablePointer<UInt32>, _ count: Int) {
      var i = 0
      if hasSpare && count > 0 {
        out[0] = spare
        hasSpare = false
        i = 1
      }
      while i + 2 <= count {
        let x = rng.next()
        out[i] = UInt32(truncatingIfNeeded: x >> 41)
        out[i + 1] = UInt32(truncatingIfNeeded: (x >> 18) & 0x7F_FFFF)
        i += 2
      }
      if i < count { out[i] = next() }
    }
  }
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
