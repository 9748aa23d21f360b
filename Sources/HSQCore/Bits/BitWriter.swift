/// Packs unsigned fields of 1…32 bits, least significant bit first, into bytes.
///
/// Fields are appended to a 64-bit accumulator and flushed a byte at a time,
/// so the overhead per field is a shift and an or.
public struct BitWriter: Sendable {
  @usableFromInline var bytes: [UInt8]
  @usableFromInline var accumulator: UInt64 = 0
  @usableFromInline var pending: Int = 0
  @usableFromInline var written: Int = 0

  /// A writer with room reserved for `bits` bits.
  public init(reservingBits bits: Int = 0) {
    bytes = []
    bytes.reserveCapacity((bits + 7) / 8)
  }

  /// Number of bits written so far.
  public var bitCount: Int { written }

  /// Appends the low `width` bits of `value` (0 ≤ width ≤ 32; a zero-width field writes nothing).
  @inlinable
  public mutating func write(_ value: UInt32, bits width: Int) {
    assert(width >= 0 && width <= 32, "field width must be 0...32")
    assert(width == 32 || value >> UInt32(width) == 0, "value does not fit in \(width) bits")
    accumulator |= UInt64(value) << UInt64(pending)
    pending += width
    written += width
    while pending >= 8 {
      bytes.append(UInt8(truncatingIfNeeded: accumulator))
      accumulator >>= 8
      pending -= 8
    }
  }

  /// Appends a Float32 as its 32-bit pattern.
  @inlinable
  public mutating func write(_ value: Float) {
    write(value.bitPattern, bits: 32)
  }

  /// Appends a Boolean as one bit.
  @inlinable
  public mutating func write(_ flag: Bool) {
    write(flag ? 1 : 0, bits: 1)
  }

  /// Appends `count` pairs of fields: `first[i]` in `firstBits` bits, then `second[i]` in `secondBits`.
  ///
  /// The same bits as 2·count calls of ``write(_:bits:)``, packed a 32-bit
  /// word at a time (``BitPacker``) into storage reserved once (the HSQ
  /// codecs' (index, level) pairs).
  public mutating func write(
    pairs count: Int, _ first: UnsafePointer<UInt32>, bits firstBits: Int, _ second: UnsafePointer<UInt32>, bits secondBits: Int
  ) {
    precondition(count >= 0 && (0...32).contains(firstBits) && (0...32).contains(secondBits), "field widths must be 0...32")
    guard count > 0 else { return }
    let start = bytes.count
    let end = (written + count * (firstBits + secondBits)) / 8
    // Room for the whole words the loop stores, trimmed to `end` afterwards.
    bytes.append(contentsOf: repeatElement(0, count: end - start + 4))
    var o = start
    bytes.withUnsafeMutableBytes { out in
      var packer = BitPacker(base: out.baseAddress!, capacity: out.count, offset: start, accumulator: accumulator, pending: pending)
      if firstBits + secondBits <= 32 {
        // Least significant bit first, the two fields are one field of their summed width.
        let width = firstBits + secondBits
        for i in 0..<count { packer.put(first[i] | (secondBits == 0 ? 0 : second[i] << UInt32(firstBits)), bits: width) }
      } else {
        for i in 0..<count {
          packer.put(first[i], bits: firstBits)
          packer.put(second[i], bits: secondBits)
        }
      }
      packer.storeWholeBytes()
      o = packer.offset
      accumulator = packer.accumulator
      pending = packer.pending
    }
    bytes.removeLast(bytes.count - o)
    written += count * (firstBits + secondBits)
  }

  /// The packed payload; the writer may still be used afterwards.
  public func payload() -> Payload {
    var out = bytes
    if pending > 0 { out.append(UInt8(truncatingIfNeeded: accumulator)) }
    return Payload(bytes: out, bitCount: written)
  }
}

/// The number of bits needed to write any of `count` distinct values: ⌈log₂ count⌉ (0 for one value).
@inlinable
public func bitsToIndex(_ count: Int) -> Int {
  precondition(count >= 1, "count must be at least 1")
  return count == 1 ? 0 : Int.bitWidth - (count - 1).leadingZeroBitCount
}
