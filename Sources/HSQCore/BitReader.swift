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
