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
    var value: UInt64 = 0
    var got = 0
    var pos = position
    while got < width {
      let byte = UInt64(bytes[pos >> 3])
      let offset = pos & 7
      let take = min(8 - offset, width - got)
      value |= ((byte >> UInt64(offset)) & ((1 << UInt64(take)) - 1)) << UInt64(got)
      got += take
      pos += take
    }
    position = pos
    return UInt32(truncatingIfNeeded: value)
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
