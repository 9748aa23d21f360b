import CKernels
/// Fixed-size bit packing for hot loops, in ``BitWriter``'s layout: fields of 0…32 bits,
/// least significant bit first.
///
/// A payload packed here reads back with ``BitReader`` (and ``BitUnpacker`` reads what
/// ``BitWriter`` wrote). Where ``BitWriter`` grows its array a byte at a time, the packer
/// writes 32-bit words into a buffer sized once from the exact bit count
/// (``Payload/packing(bitCount:_:)``); ``BitWriter/write(pairs:_:bits:_:bits:)`` uses it for its bulk path.
public struct BitPacker {
  @usableFromInline let base: UnsafeMutableRawPointer
  @usableFromInline let capacity: Int
  /// The next byte to store.
  public var offset: Int
  /// Bits not stored yet, the oldest in the low bits.
  public var accumulator: UInt64
  /// How many bits of ``accumulator`` are pending.
  public var pending: Int
  @usableFromInline var written = 0

  /// A packer storing from byte `offset` of `base` (`capacity` bytes), continuing from `pending` bits of `accumulator`.
  @inlinable
  public init(base: UnsafeMutableRawPointer, capacity: Int, offset: Int = 0, accumulator: UInt64 = 0, pending: Int = 0) {
    self.base = base
    self.capacity = capacity
    self.offset = offset
    self.accumulator = accumulator
    self.pending = pending
  }

  /// Bits put so far.
  @inlinable public var bitCount: Int { written }

  /// Appends the low `width` bits of `value` (0 ≤ width ≤ 32; the rest of `value` must be zero).
  @inlinable @inline(__always)
  public mutating func put(_ value: UInt32, bits width: Int) {
    assert(width >= 0 && width <= 32 && (width == 32 || value >> UInt32(width) == 0), "value does not fit in \(width) bits")
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
  @inlinable @inline(__always)
  public mutating func put(_ value: Float) {
    put(value.bitPattern, bits: 32)
  }

  /// Appends `n` codes of `width` bits each: whole bytes at once (``hsq_pack_codes``) when `width` is 1, 2, 4, 8, 9 or
  /// 16 and the packer is at a byte boundary, else a 32-bit word at a time when `width` divides 32.
  @inlinable @inline(__always)
  public mutating func put(codes: UnsafePointer<UInt32>, _ n: Int, bits width: Int, level: hsq_kernel_level = HSQ_KERNELS_AUTO) {
    var j = 0
    if let group = Self.bytewiseGroup(width), pending % 8 == 0 {
      storeWholeBytes()
      j = n - n % group
      let bytes = j * width / 8
      assert(offset + bytes <= capacity, "packer overflow")
      hsq_pack_codes(codes, Int64(j), Int32(width), (base + offset).assumingMemoryBound(to: UInt8.self), level)
      offset += bytes
      written += j * width
    } else if width < 32 && 32 % width == 0 {
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

  /// How many codes of `width` bits fill whole bytes, for the widths ``hsq_pack_codes`` takes (`nil` for the others).
  @inlinable
  public static func bytewiseGroup(_ width: Int) -> Int? {
    switch width {
    case 1, 2, 4: return 8 / width
    case 8, 16: return 1
    case 9: return 8
    default: return nil
    }
  }

  /// Stores the whole bytes still pending; fewer than 8 bits stay in ``accumulator``.
  @inlinable
  public mutating func storeWholeBytes() {
    while pending >= 8 {
      base.storeBytes(of: UInt8(truncatingIfNeeded: accumulator), toByteOffset: offset, as: UInt8.self)
      offset += 1
      accumulator >>= 8
      pending -= 8
    }
  }

  /// Stores every bit still pending (the last byte may be partly used).
  @inlinable
  public mutating func finish() {
    storeWholeBytes()
    if pending > 0 {
      base.storeBytes(of: UInt8(truncatingIfNeeded: accumulator), toByteOffset: offset, as: UInt8.self)
      offset += 1
      accumulator = 0
    }
    pending = 0
  }
}

/// Reads fields of 1…32 bits written by ``BitPacker`` or ``BitWriter``, unchecked: past the
/// end of the bytes it reads zeros, so callers check a payload's ``Payload/bitCount`` first
/// (``BitReader`` is the checked reader).
public struct BitUnpacker {
  @usableFromInline let base: UnsafeRawPointer?
  @usableFromInline let byteCount: Int
  @usableFromInline var offset = 0
  @usableFromInline var accumulator: UInt64 = 0
  @usableFromInline var available = 0

  @inlinable
  public init(base: UnsafeRawPointer?, byteCount: Int) {
    self.base = base
    self.byteCount = byteCount
  }

  /// Reads the next `width` bits; past the end of the bytes it reads zeros.
  @inlinable @inline(__always)
  public mutating func take(bits width: Int) -> UInt32 {
    if available < width { refill() }
    let value = accumulator & ((1 << UInt64(width)) &- 1)
    accumulator >>= UInt64(width)
    available = max(available - width, 0)
    return UInt32(truncatingIfNeeded: value)
  }

  /// Reads a Float32 bit pattern.
  @inlinable @inline(__always)
  public mutating func takeFloat() -> Float {
    Float(bitPattern: take(bits: 32))
  }

  /// Reads `n` codes of `width` bits each into `codes`: whole bytes at once (``hsq_unpack_codes``) when `width` is 1,
  /// 2, 4, 8, 9 or 16, the reader is at a byte boundary and the bytes are there, else a 32-bit word at a time when
  /// `width` divides 32.
  @inlinable @inline(__always)
  public mutating func take(codes: UnsafeMutablePointer<UInt32>, _ n: Int, bits width: Int, level: hsq_kernel_level = HSQ_KERNELS_AUTO) {
    var j = 0
    let position = offset * 8 - available  // bits read so far
    if let group = BitPacker.bytewiseGroup(width), position % 8 == 0, let base {
      let whole = n - n % group
      let bytes = whole * width / 8
      if position / 8 + bytes <= byteCount {
        hsq_unpack_codes((base + position / 8).assumingMemoryBound(to: UInt8.self), Int64(whole), Int32(width), codes, level)
        offset = position / 8 + bytes
        accumulator = 0
        available = 0
        j = whole
      }
    }
    if j == 0, width < 32 && 32 % width == 0 {
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

  @inlinable @inline(never)
  public mutating func refill() {
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

extension Payload {
  /// A payload of exactly `bitCount` bits packed by `body`, which must put exactly that many.
  @inlinable
  public static func packing(bitCount: Int, _ body: (inout BitPacker) throws -> Void) rethrows -> Payload {
    let byteCount = (bitCount + 7) / 8
    // Eight spare bytes: `BitPacker.put` stores whole 32-bit words.
    var bytes = [UInt8](repeating: 0, count: byteCount + 8)
    let written = try bytes.withUnsafeMutableBytes { raw -> Int in
      var packer = BitPacker(base: raw.baseAddress!, capacity: raw.count)
      try body(&packer)
      packer.finish()
      return packer.bitCount
    }
    precondition(written == bitCount, "packed \(written) bits, declared \(bitCount)")
    bytes.removeLast(8)
    return Payload(bytes: bytes, bitCount: bitCount)
  }

  /// Runs `body` with an unchecked unpacker over the bytes (check ``bitCount`` first).
  @inlinable
  public func unpacking<R>(_ body: (inout BitUnpacker) throws -> R) rethrows -> R {
    try bytes.withUnsafeBytes { raw in
      var unpacker = BitUnpacker(base: raw.baseAddress, byteCount: raw.count)
      return try body(&unpacker)
    }
  }
}
