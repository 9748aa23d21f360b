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
    var head = BitWriter(reservingBits: bit)
    var tail = BitWriter(reservingBits: bitCount - bit)
    head.append(bitsOf: self, from: 0, count: bit)
    tail.append(bitsOf: self, from: bit, count: bitCount - bit)
    return (head.payload(), tail.payload())
  }
}

extension BitWriter {
  /// Appends every bit of `payload`.
  public mutating func append(_ payload: Payload) {
    append(bitsOf: payload, from: 0, count: payload.bitCount)
  }

  /// Appends bits `start ..< start + count` of `payload`: what `count` one-bit reads and writes would append,
  /// 56 bits a step (one unaligned load, a shift and one 8-byte store).
  public mutating func append(bitsOf payload: Payload, from start: Int, count: Int) {
    precondition(start >= 0 && count >= 0 && start + count <= payload.bitCount, "bits outside the payload")
    guard count > 0 else { return }
    assert(bytes.count == written / 8 && pending < 8, "a writer holds whole bytes and under 8 pending bits")
    let total = written + count
    let whole = total / 8
    // Room for the 8-byte stores past the last whole byte, trimmed afterwards.
    bytes.append(contentsOf: repeatElement(0, count: whole - bytes.count + 8))
    var acc = accumulator, pend = pending, o = written / 8
    payload.bytes.withUnsafeBytes { source in
      bytes.withUnsafeMutableBytes { out in
        var pos = start, left = count
        while left > 0 {
          let w = min(56, left)
          let b = pos >> 3
          var window: UInt64 = 0
          if b + 8 <= source.count {
            window = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: b, as: UInt64.self))
          } else {
            for i in 0..<(source.count - b) { window |= UInt64(source[b + i]) << UInt64(8 * i) }
          }
          acc |= ((window >> UInt64(pos & 7)) & ((1 << UInt64(w)) - 1)) << UInt64(pend)
          pend += w
          out.storeBytes(of: acc.littleEndian, toByteOffset: o, as: UInt64.self)
          let stored = pend / 8
          o += stored
          acc = stored == 8 ? 0 : acc >> UInt64(8 * stored)
          pend -= 8 * stored
          pos += w
          left -= w
        }
      }
    }
    bytes.removeLast(bytes.count - whole)
    accumulator = acc
    pending = pend
    written = total
  }
}
