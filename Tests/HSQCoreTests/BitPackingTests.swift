import CKernels
import HSQCore
import Testing

/// The bulk pair writer and reader against the field-at-a-time ones, on random widths, counts and offsets.
@Suite struct BitPackingTests {
  /// A random layout: a prefix of single fields (any bit offset), `count` pairs, a suffix.
  struct Layout {
    var prefix: [(UInt32, Int)] = []
    var first: [UInt32] = []
    var second: [UInt32] = []
    var widths = (0, 0)
    var suffix: [(UInt32, Int)] = []

    init(seed: UInt64) {
      var rng = RandomStream(seed: seed)
      func value(_ width: Int) -> UInt32 { width == 0 ? 0 : UInt32(truncatingIfNeeded: rng.next()) >> UInt32(32 - width) }
      for _ in 0..<rng.int(below: 5) {
        let w = rng.int(below: 33)
        prefix.append((value(w), w))
      }
      widths = (rng.int(below: 33), rng.int(below: 33))
      let count = [0, 1, 2, 3, 7, 64, 257][rng.int(below: 7)]
      for _ in 0..<count {
        first.append(value(widths.0))
        second.append(value(widths.1))
      }
      for _ in 0..<rng.int(below: 5) {
        let w = rng.int(below: 33)
        suffix.append((value(w), w))
      }
    }

    func fieldByField() -> Payload {
      var writer = BitWriter()
      for (v, w) in prefix { writer.write(v, bits: w) }
      for i in first.indices {
        writer.write(first[i], bits: widths.0)
        writer.write(second[i], bits: widths.1)
      }
      for (v, w) in suffix { writer.write(v, bits: w) }
      return writer.payload()
    }

    func bulk() -> Payload {
      var writer = BitWriter()
      for (v, w) in prefix { writer.write(v, bits: w) }
      first.withUnsafeBufferPointer { a in
        second.withUnsafeBufferPointer { b in
          if let a = a.baseAddress, let b = b.baseAddress {
            writer.write(pairs: first.count, a, bits: widths.0, b, bits: widths.1)
          }
        }
      }
      for (v, w) in suffix { writer.write(v, bits: w) }
      return writer.payload()
    }
  }

  @Test(arguments: 0..<300)
  func bulkWriteEqualsFieldByField(seed: Int) {
    let layout = Layout(seed: UInt64(seed))
    let expected = layout.fieldByField()
    let got = layout.bulk()
    #expect(got.bitCount == expected.bitCount)
    #expect(got.bytes == expected.bytes)
  }

  /// At every kernel level (AVX-512 reads eight pairs a step where the CPU has it; portable C one at a time).
  @Test(arguments: 0..<300)
  func bulkReadGivesTheFieldsBack(seed: Int) throws {
    let layout = Layout(seed: UInt64(seed))
    for level in [HSQ_KERNELS_AUTO, HSQ_KERNELS_PORTABLE] {
      var reader = BitReader(layout.fieldByField())
      for (v, w) in layout.prefix { #expect(try reader.read(bits: w) == v) }
      let n = layout.first.count
      var a = [UInt32](repeating: .max, count: n), b = [UInt32](repeating: .max, count: n)
      try a.withUnsafeMutableBufferPointer { a in
        try b.withUnsafeMutableBufferPointer { b in
          if let a = a.baseAddress, let b = b.baseAddress {
            try reader.read(pairs: n, bits: layout.widths.0, into: a, bits: layout.widths.1, into: b, level: level)
          }
        }
      }
      #expect(a == layout.first, "level \(level.rawValue)")
      #expect(b == layout.second, "level \(level.rawValue)")
      for (v, w) in layout.suffix { #expect(try reader.read(bits: w) == v) }
      try reader.finish()
    }
  }

  @Test func bulkReadOfAShortPayloadThrowsAndReadsNothing() throws {
    var writer = BitWriter()
    let values: [UInt32] = [1, 2, 3]
    values.withUnsafeBufferPointer { writer.write(pairs: 3, $0.baseAddress!, bits: 8, $0.baseAddress!, bits: 7) }
    var reader = BitReader(writer.payload())
    var a = [UInt32](repeating: 0, count: 4), b = [UInt32](repeating: 0, count: 4)
    #expect(throws: HSQError.self) {
      try a.withUnsafeMutableBufferPointer { a in
        try b.withUnsafeMutableBufferPointer { b in
          try reader.read(pairs: 4, bits: 8, into: a.baseAddress!, bits: 7, into: b.baseAddress!)
        }
      }
    }
    #expect(reader.remaining == 45)
  }
}
