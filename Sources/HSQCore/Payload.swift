/// The bytes a compressor puts on the wire for one vector.
///
/// Bits are counted from these bytes, never estimated: ``bitCount`` is the
/// exact number of bits written (the last byte may be partly used) and
/// `bytes.count == (bitCount + 7) / 8`. The vector's length is not part of
/// the payload: the receiver knows each layer's shape.
public struct Payload: Sendable, Hashable, Codable {
  /// The packed bits, least significant bit first.
  public var bytes: [UInt8]
  /// The number of meaningful bits in ``bytes``.
  public var bitCount: Int

  public init(bytes: [UInt8], bitCount: Int) {
    precondition(bytes.count == (bitCount + 7) / 8, "bitCount does not match the byte count")
    self.bytes = bytes
    self.bitCount = bitCount
  }

  /// An empty payload (0 bits).
  public static let empty = Payload(bytes: [], bitCount: 0)
}
