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

extension Payload {
  /// The first `bit` bits and the rest, as two payloads.
  public func split(atBit bit: Int) -> (Payload, Payload) {
    precondition(bit >= 0 && bit <= bitCount, "split point outside the payload")
    var reader = BitReader(self)
    var head = BitWriter(reservingBits: bit)
    var tail = BitWriter(reservingBits: bitCount - bit)
    var left = bit
    while left > 0 { let w = min(32, left); head.write(try! reader.read(bits: w), bits: w); left -= w }
    left = bitCount - bit
    while left > 0 { let w = min(32, left); tail.write(try! reader.read(bits: w), bits: w); left -= w }
    return (head.payload(), tail.payload())
  }
}

extension BitWriter {
  /// Appends every bit of `payload`.
  public mutating func append(_ payload: Payload) {
    var reader = BitReader(payload)
    var left = payload.bitCount
    while left > 0 { let w = min(32, left); write(try! reader.read(bits: w), bits: w); left -= w }
  }
}
