import CKernels
/// Reads fields written by ``BitWriter`` back, checking that the payload holds them.
public struct BitReader: Sendable {
  @usableFromInline let bytes: [UInt8]
  @usableFromInline let limit: Int
  @usableFromInline var position: Int = 0

  /// A reader over `payload`'s bits.
  public init(_ payload: Payload) {
    bytes = payload.bytes
    limit = payload.bitCount
  }

  /// Bits not read yet.
  public var remaining: Int { limit - position }

  /// Reads a field of `width` bits (0 ≤ width ≤ 32; a zero-width field reads as 0).
  ///
  /// - Throws: ``HSQError/malformedPayload(_:)`` when fewer than `width` bits remain.
  @inlinable
  public mutating func read(bits width: Int) throws -> UInt32 {
    guard position + width <= limit else {
      throw HSQError.malformedPayload("needed \(width) more bits at bit \(position) of \(limit).")
    }
    // Up to 8 bytes starting at the field's first byte hold all of its ≤ 32 bits.
    let first = position >> 3
    let offset = UInt64(position & 7)
    var window: UInt64 = 0
    if first + 8 <= bytes.count {
      window = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: first, as: UInt64.self)) }
    } else {
      for i in 0..<(bytes.count - first) { window |= UInt64(bytes[first + i]) << UInt64(8 * i) }
    }
    let value = (window >> offset) & ((1 << UInt64(width)) - 1)
    let pos = position + width
    position = pos
    return UInt32(truncatingIfNeeded: value)
  }

  /// Reads `count` pairs of fields written by ``BitWriter/write(pairs:_:bits:_:bits:)``
  /// (or 2·count calls of ``BitWriter/write(_:bits:)``) into `first` and `second`.
  ///
  /// - Throws: ``HSQError/malformedPayload(_:)`` when the payload is shorter; nothing is read then.
  /// `level`: the most the kernel may use (for tests).
  public mutating func read(
    pairs count: Int, bits firstBits: Int, into first: UnsafeMutablePointer<UInt32>, bits secondBits: Int, into second: UnsafeMutablePointer<UInt32>,
    level: hsq_kernel_level = HSQ_KERNELS_AUTO
  ) throws {
    precondition(count >= 0 && (0...32).contains(firstBits) && (0...32).contains(secondBits), "field widths must be 0...32")
    let total = count * (firstBits + secondBits)
    guard position + total <= limit else {
      throw HSQError.malformedPayload("needed \(total) more bits at bit \(position) of \(limit).")
    }
    var pos = position
    // Fields whose 8-byte window lies inside the payload load it directly; the last few go through read(bits:).
    let done = bytes.withUnsafeBytes { raw -> Int in
      let fast = raw.count - 8
      @inline(__always) func field(_ width: Int) -> UInt32 {
        let window = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: pos >> 3, as: UInt64.self))
        let value = (window >> UInt64(pos & 7)) & ((1 << UInt64(width)) - 1)
        pos += width
        return UInt32(truncatingIfNeeded: value)
      }
      var i = 0
      if firstBits + secondBits <= 32, let base = raw.baseAddress {
        // Least significant bit first, the pair is one field of the summed width, split after one load (in C).
        let read = Int(hsq_read_bit_pairs(
          base.assumingMemoryBound(to: UInt8.self), Int64(raw.count), Int64(pos), Int64(count), Int32(firstBits), Int32(secondBits),
          first, second, level))
        pos += read * (firstBits + secondBits)
        return read
      }
      while i < count, (pos + firstBits + secondBits) >> 3 <= fast {
        first[i] = field(firstBits)
        second[i] = field(secondBits)
        i += 1
      }
      return i
    }
    position = pos
    for i in done..<count {
      first[i] = try read(bits: firstBits)
      second[i] = try read(bits: secondBits)
    }
  }

  /// Reads a Float32 written with ``BitWriter/write(_:)-(Float)``.
  @inlinable
  public mutating func readFloat() throws -> Float {
    Float(bitPattern: try read(bits: 32))
  }

  /// Reads one bit as a Boolean.
  @inlinable
  public mutating func readBool() throws -> Bool {
    try read(bits: 1) == 1
  }

  /// Throws unless every bit has been read: a payload must decode exactly.
  public func finish() throws {
    guard position == limit else {
      throw HSQError.malformedPayload("\(limit - position) bits left over after decoding.")
    }
  }
}
