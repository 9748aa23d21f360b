import HSQCore

/// Fast fixed-width bit packing and uniform draws for the baseline compressors' hot loops.
///
/// The layout is exactly ``BitWriter``'s: fields least significant bit first, so a payload
/// written here reads back with ``BitReader`` and the other way round. The packer writes
/// 32 bits at a time into a buffer sized from the exact bit count; the unpacker refills
/// 32 bits at a time. Callers check a payload's bit count before unpacking it.
enum BaselineBits {
  /// Builds a payload of exactly `bitCount` bits; `body` must put exactly that many.
  static func build(bitCount: Int, _ body: (inout Packer) throws -> Void) rethrows -> Payload {
    let byteCount = (bitCount + 7) / 8
    // Eight spare bytes: `Packer.put` stores whole 32-bit words.
    var bytes = [UInt8](repeating: 0, count: byteCount + 8)
    let written = try bytes.withUnsafeMutableBytes { raw -> Int in
      var packer = Packer(base: raw.baseAddress!, capacity: raw.count)
      try body(&packer)
      packer.finish()
      return packer.bitCount
    }
    precondition(written == bitCount, "packed \(written) bits, declared \(bitCount)")
    bytes.removeLast(8)
    return Payload(bytes: bytes, bitCount: bitCount)
  }

  /// Runs `body` with an unpacker over `payload`'s bytes (the bit count must already be checked).
  static func read<R>(_ payload: Payload, _ body: (inout Unpacker) throws -> R) rethrows -> R {
    try payload.bytes.withUnsafeBytes { raw in
      var unpacker = Unpacker(base: raw.baseAddress, byteCount: raw.count)
      return try body(&unpacker)
    }
  }

  /// Appends fields of 1…32 bits.
  struct Packer {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    var offset = 0
    var accumulator: UInt64 = 0
    var pending = 0
    var written = 0

    init(base: UnsafeMutableRawPointer, capacity: Int) {
      self.base = base
      self.capacity = capacity
    }

    /// Bits put so far.
    var bitCount: Int { written }

    /// Appends the low `width` bits of `value` (the rest must be zero).
    @inline(__always)
    mutating func put(_ value: UInt32, bits width: Int) {
      assert(width >= 1 && width <= 32 && (width == 32 || value >> UInt32(width) == 0))
      accumulator |= UInt64(value) << UInt64(pending)
      pending += width
      written += width
      if pending >= 32 {
        assert(offset + 4 <= capacity, "packer overflow")
        base.storeBytes(of: UInt32(truncatingIfNeeded: accumulator).littleEndian, toByteOffset: offset, as: UInt32.self)
        offset += 4
        accumulator >>= 32
        pending -= 32
      }
    }

    /// Appends a Float32 as its bit pattern.
    @inline(__always)
    mutating func put(_ value: Float) {
      put(value.bitPattern, bits: 32)
    }

    /// Appends `n` codes of `width` bits each, a 32-bit word at a time when `width` divides 32.
    @inline(__always)
    mutating func put(codes: UnsafePointer<UInt32>, _ n: Int, bits width: Int) {
      var j = 0
      if width < 32 && 32 % width == 0 {
        let perWord = 32 / width
        while j + perWord <= n {
          var word: UInt32 = 0
          for t in 0..<perWord { word |= codes[j &+ t] << UInt32(truncatingIfNeeded: t &* width) }
          put(word, bits: 32)
          j += perWord
        }
      }
      while j < n {
        put(codes[j], bits: width)
        j += 1
      }
    }

    /// Stores the bits still pending (the last byte may be partly used).
    mutating func finish() {
      while pending > 0 {
        base.storeBytes(of: UInt8(truncatingIfNeeded: accumulator), toByteOffset: offset, as: UInt8.self)
        offset += 1
        accumulator >>= 8
        pending -= 8
      }
      pending = 0
    }
  }

  /// Reads fields of 1…32 bits written by ``Packer`` or ``BitWriter``.
  struct Unpacker {
    let base: UnsafeRawPointer?
    let byteCount: Int
    var offset = 0
    var accumulator: UInt64 = 0
    var available = 0

    init(base: UnsafeRawPointer?, byteCount: Int) {
      self.base = base
      self.byteCount = byteCount
    }

    /// Reads the next `width` bits; past the end of the bytes it reads zeros.
    @inline(__always)
    mutating func take(bits width: Int) -> UInt32 {
      if available < width { refill() }
      let value = accumulator & ((1 << UInt64(width)) &- 1)
      accumulator >>= UInt64(width)
      available = max(available - width, 0)
      return UInt32(truncatingIfNeeded: value)
    }

    /// Reads a Float32 bit pattern.
    @inline(__always)
    mutating func takeFloat() -> Float {
      Float(bitPattern: take(bits: 32))
    }

    /// Reads `n` codes of `width` bits each into `codes`, a 32-bit word at a time when `width` divides 32.
    @inline(__always)
    mutating func take(codes: UnsafeMutablePointer<UInt32>, _ n: Int, bits width: Int) {
      var j = 0
      if width < 32 && 32 % width == 0 {
        let perWord = 32 / width
        let mask: UInt32 = (1 << UInt32(width)) - 1
        while j + perWord <= n {
          let word = take(bits: 32)
          for t in 0..<perWord { codes[j &+ t] = (word >> UInt32(truncatingIfNeeded: t &* width)) & mask }
          j += perWord
        }
      }
      while j < n {
        codes[j] = take(bits: width)
        j += 1
      }
    }

    @inline(never)
    mutating func refill() {
      guard let base else { return }
      if offset + 4 <= byteCount {
        let word = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        accumulator |= UInt64(word) << UInt64(available)
        offset += 4
        available += 32
      } else {
        while available <= 56 && offset < byteCount {
          accumulator |= UInt64(base.load(fromByteOffset: offset, as: UInt8.self)) << UInt64(available)
          offset += 1
          available += 8
        }
      }
    }
  }

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
  }
}

extension BaselineBits {
  /// One sign bit per coordinate (1 = negative), 32 to a field.
  enum Signs {
    static func put(_ v: UnsafeBufferPointer<Float>, into packer: inout BaselineBits.Packer) {
      var i = 0
      while i < v.count {
        let n = min(32, v.count - i)
        var word: UInt32 = 0
        for j in 0..<n { word |= (v[i &+ j] < 0 ? 1 : 0) << UInt32(truncatingIfNeeded: j) }
        packer.put(word, bits: n)
        i += n
      }
    }

    /// `d` values ±`magnitude` from sign bits.
    static func take(_ d: Int, magnitude: Float, from reader: inout BaselineBits.Unpacker) -> [Float] {
      [Float](unsafeUninitializedCapacity: d) { buffer, initialized in
        var i = 0
        while i < d {
          let n = min(32, d - i)
          let word = reader.take(bits: n)
          for j in 0..<n {
            let negative = (word >> UInt32(truncatingIfNeeded: j)) & 1
            buffer[i &+ j] = Float(bitPattern: magnitude.bitPattern | negative << 31)
          }
          i += n
        }
        initialized = d
      }
    }
  }
}
