import HSQCore
import Testing

/// The fixed-size packer and the unchecked unpacker share BitWriter's layout, bit for bit.
@Suite struct BitPackerTests {
  /// Random fields of 0…32 bits.
  static func fields(seed: UInt64) -> [(UInt32, Int)] {
    var rng = RandomStream(seed: seed)
    return (0..<rng.int(below: 300)).map { _ in
      let width = rng.int(below: 33)
      return (width == 0 ? 0 : UInt32(truncatingIfNeeded: rng.next()) >> UInt32(32 - width), width)
    }
  }

  @Test(arguments: 0..<40 as Range<UInt64>)
  func packerWritesWhatBitWriterWritesAndUnpackerReadsIt(seed: UInt64) throws {
    let fields = Self.fields(seed: seed)
    var writer = BitWriter()
    for (value, width) in fields { writer.write(value, bits: width) }
    let expected = writer.payload()
    let packed = Payload.packing(bitCount: fields.reduce(0) { $0 + $1.1 }) { packer in
      for (value, width) in fields { packer.put(value, bits: width) }
    }
    #expect(packed == expected, "seed \(seed)")
    let read = expected.unpacking { unpacker in fields.map { unpacker.take(bits: $0.1) } }
    #expect(read == fields.map(\.0), "seed \(seed)")
  }
}
