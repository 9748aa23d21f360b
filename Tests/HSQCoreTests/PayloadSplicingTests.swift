import HSQCore
import Testing

/// ``BitWriter/append(_:)`` and ``Payload/split(atBit:)`` against one-bit reads and writes, on random payloads
/// appended at every bit offset and split at every bit.
@Suite struct PayloadSplicingTests {
  /// `bits` random bits, written as fields of random widths.
  static func randomPayload(bits: Int, _ rng: inout RandomStream) -> Payload {
    var writer = BitWriter()
    var left = bits
    while left > 0 {
      let w = min(left, 1 + rng.int(below: 32))
      writer.write(UInt32(truncatingIfNeeded: rng.next()) >> UInt32(32 - w), bits: w)
      left -= w
    }
    return writer.payload()
  }

  /// Bits `range` of `payload` appended one at a time: the reference.
  static func appendBitwise(_ payload: Payload, _ range: Range<Int>, to writer: inout BitWriter) throws {
    var reader = BitReader(payload)
    for _ in 0..<range.lowerBound { _ = try reader.read(bits: 1) }
    for _ in range { writer.write(try reader.read(bits: 1), bits: 1) }
  }

  @Test(arguments: [0, 1, 7, 8, 9, 55, 56, 57, 63, 64, 65, 200, 1_000, 4_099])
  func appendingGivesTheBitsOfOneBitWrites(length: Int) throws {
    var rng = RandomStream(seed: UInt64(length))
    let tail = Self.randomPayload(bits: length, &rng)
    for prefixBits in 0..<17 {
      let prefix = Self.randomPayload(bits: prefixBits, &rng)
      var fast = BitWriter(), slow = BitWriter()
      fast.append(prefix)
      try Self.appendBitwise(prefix, 0..<prefixBits, to: &slow)
      fast.append(tail)
      try Self.appendBitwise(tail, 0..<length, to: &slow)
      // The writer goes on after an append as after writes.
      fast.write(0x5, bits: 3)
      slow.write(0x5, bits: 3)
      #expect(fast.payload() == slow.payload(), "append of \(length) bits after \(prefixBits)")
      #expect(fast.bitCount == prefixBits + length + 3)
    }
  }

  @Test(arguments: [1, 7, 8, 9, 63, 64, 65, 130, 517])
  func splittingAtEveryBitGivesBothParts(length: Int) throws {
    var rng = RandomStream(seed: 1_000 + UInt64(length))
    let payload = Self.randomPayload(bits: length, &rng)
    for bit in 0...length {
      let (head, tail) = payload.split(atBit: bit)
      var h = BitWriter(), t = BitWriter()
      try Self.appendBitwise(payload, 0..<bit, to: &h)
      try Self.appendBitwise(payload, bit..<length, to: &t)
      #expect(head == h.payload() && tail == t.payload(), "split of \(length) bits at \(bit)")
      var joined = BitWriter()
      joined.append(head)
      joined.append(tail)
      #expect(joined.payload() == payload)
    }
  }
}
