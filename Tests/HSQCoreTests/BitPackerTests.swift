import CKernels
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

  /// Runs of codes (`put(codes:)`, `take(codes:)`) against one field at a time, for every width, after a lead of
  /// 0…40 bits (the byte-aligned kernel path and the word path), with fields before and after the run, on both levels.
  @Test(arguments: [1, 2, 3, 4, 5, 8, 9, 10, 16, 32])
  func runsOfCodesMatchOneFieldAtATime(width: Int) throws {
    var rng = RandomStream(seed: 90 + UInt64(width))
    for lead in [0, 1, 3, 8, 16, 24, 32, 37, 40] {
      for n in [0, 1, 7, 8, 9, 31, 33, 255, 1000] {
        let codes = (0..<n).map { _ in UInt32(truncatingIfNeeded: rng.next()) >> UInt32(32 - width) }
        let head = UInt32(truncatingIfNeeded: rng.next()) >> UInt32(32 - max(lead % 33, 1)) & (lead % 33 == 0 ? 0 : ~0)
        let bitCount = lead % 33 + (lead >= 33 ? 8 : 0) + n * width + 7
        var writer = BitWriter()
        writer.write(head, bits: lead % 33)
        if lead >= 33 { writer.write(0xA5, bits: 8) }
        for code in codes { writer.write(code, bits: width) }
        writer.write(0x55, bits: 7)
        let expected = writer.payload()
        for level in [HSQ_KERNELS_AUTO, HSQ_KERNELS_PORTABLE] {
          let packed = Payload.packing(bitCount: bitCount) { packer in
            packer.put(head, bits: lead % 33)
            if lead >= 33 { packer.put(0xA5, bits: 8) }
            codes.withUnsafeBufferPointer { packer.put(codes: $0.baseAddress!, n, bits: width, level: level) }
            packer.put(0x55, bits: 7)
          }
          #expect(packed == expected, "width \(width), lead \(lead), n \(n), level \(level.rawValue)")
          let (read, tail) = expected.unpacking { unpacker in
            _ = unpacker.take(bits: lead % 33)
            if lead >= 33 { _ = unpacker.take(bits: 8) }
            var out = [UInt32](repeating: 0, count: n)
            out.withUnsafeMutableBufferPointer { unpacker.take(codes: $0.baseAddress!, n, bits: width, level: level) }
            return (out, unpacker.take(bits: 7))
          }
          #expect(read == codes && tail == 0x55, "width \(width), lead \(lead), n \(n), level \(level.rawValue)")
        }
      }
    }
  }
}
