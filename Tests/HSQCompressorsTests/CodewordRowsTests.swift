import CKernels
import HSQCodebooks
@testable import HSQCompressors
import HSQCore
import Testing

/// The server's mean read from codeword rows (hsq_mean_of_rows) against the decoded vectors summed as the
/// server sums them (+0, then out + scale·x in worker order), bit for bit, on every kernel level.
@Suite struct CodewordRowsTests {
  /// Σ_w scale·decode(p_w) from `start` (or +0), in worker order, an entry at a time.
  static func meanOfDecoded(_ decoded: [[Float]], scale: Float, start: [Float]?) -> [Float] {
    (0..<decoded[0].count).map { i in
      var acc: Float = start?[i] ?? 0
      for x in decoded { acc = acc + scale * x[i] }
      return acc
    }
  }

  @Test(arguments: ["hsq:dim=16,k=256,norm-bits=6", "hsq:dim=8,k=64,norm-bits=32", "hsq:dim=4,k=16,norm-bits=3"])
  func theMeanOfRowsIsTheMeanOfTheDecodedVectors(spelling: String) throws {
    let compressor = try #require(try Compressors.make(spelling) as? HSQCompressor)
    var rng = RandomStream(seed: 11)
    for (length, workers) in [(1, 1), (16, 3), (37, 5), (1000, 40), (4099, 8)] {
      let payloads = try (0..<workers).map { w in
        try compressor.encode((0..<length).map { i in Float(rng.gaussian()) * (i % 13 == 0 ? 1e3 : 1) * (w == 2 ? -0.0 : 1) }, rng: &rng)
      }
      let rows = try payloads.map { try compressor.rows($0, length: length) }
      let decoded = try payloads.map { try compressor.decode($0, length: length) }
      #expect(rows.map { $0.values().map(\.bitPattern) } == decoded.map { $0.map(\.bitPattern) })
      let scale = 1 / Float(workers)
      let start = (0..<length).map { Float($0 % 7) - 3.5 }
      for continuing in [false, true] {
        let expected = Self.meanOfDecoded(decoded, scale: scale, start: continuing ? start : nil).map(\.bitPattern)
        for level in [HSQ_KERNELS_AUTO, HSQ_KERNELS_AVX512, HSQ_KERNELS_AVX2, HSQ_KERNELS_PORTABLE] {
          // Two ranges, the second starting at a sub-vector boundary, as the server's lanes cut them.
          let cut = (length / 2) / rows[0].dim * rows[0].dim
          var out = start
          out.withUnsafeMutableBufferPointer { o in
            for range in [0..<cut, cut..<length] {
              CodewordRows.addMean(of: rows, scale: scale, into: o.baseAddress!, range: range, continuing: continuing, level: level)
            }
          }
          #expect(out.map(\.bitPattern) == expected, "\(spelling), d \(length), \(workers) workers, continuing \(continuing), level \(level.rawValue)")
        }
        var portable = start
        portable.withUnsafeMutableBufferPointer { o in
          CodewordRows.portableAddMean(of: rows, scale: scale, into: o.baseAddress!, range: 0..<length, continuing: continuing)
        }
        #expect(portable.map(\.bitPattern) == expected, "\(spelling), d \(length): the Swift reference")
      }
    }
  }

  /// An encoder's own rows are what a decoder reads back from its payload, bit for bit, and the payload and the
  /// draws are encode's: n-bit and float32 scalars, a range of one value (hi = lo), zero and empty inputs.
  @Test(arguments: ["hsq:dim=16,k=256,norm-bits=6", "hsq:dim=8,k=64,norm-bits=32", "hsq:dim=4,k=16,norm-bits=1",
                    "hsq-unbiased:dim=16,k=64,norm-bits=6", "hsq-unbiased:dim=4,k=16,norm-bits=32"])
  func anEncodersRowsAreThoseItsPayloadDecodesTo(spelling: String) throws {
    let compressor = try #require(try Compressors.make(spelling) as? any RowDecoding)
    var data = RandomStream(seed: 9)
    let inputs: [[Float]] = [[], [0], [Float](repeating: 0, count: 40), [Float](repeating: 0.25, count: 64), [-0.0, 3]]
      + [1, 16, 37, 1000].map { n in (0..<n).map { i in Float(data.gaussian()) * (i % 7 == 0 ? 100 : 1) } }
    for v in inputs {
      var a = RandomStream(seed: UInt64(v.count)), b = a
      let payload = try compressor.encode(v, rng: &a)
      let (rowsPayload, rows) = try compressor.encodeRows(v, rng: &b)
      #expect(rowsPayload == payload && a.uniformDouble() == b.uniformDouble(), "\(spelling), d \(v.count): encode's payload and draws")
      let read = try compressor.rows(payload, length: v.count)
      #expect(rows.length == read.length && rows.indices == read.indices, "\(spelling), d \(v.count)")
      #expect(rows.scalars.map(\.bitPattern) == read.scalars.map(\.bitPattern), "\(spelling), d \(v.count)")
    }
  }

  /// A worker's error statistics read from the rows (hsq_rows_sums_of_squares) are the Swift reductions over its
  /// input and the written-out decoded vector, bit for bit, on every kernel level, with and without the memory p − q.
  @Test(arguments: ["hsq:dim=16,k=256,norm-bits=6", "hsq-unbiased:dim=16,k=64,norm-bits=32", "hsq:dim=8,k=64,norm-bits=32",
                    "hsq-unbiased:dim=4,k=16,norm-bits=3"])
  func theErrorStatisticsOfRowsAreThoseOfTheDecodedVector(spelling: String) throws {
    let compressor = try #require(try Compressors.make(spelling) as? any RowDecoding)
    var rng = RandomStream(seed: 5)
    for length in [1, 15, 16, 17, 37, 1000, 4099] {
      let p = (0..<length).map { i in i % 11 == 3 ? -0.0 : Float(rng.gaussian()) * (i % 13 == 0 ? 1e3 : 1) }
      let rows = try compressor.rows(try compressor.encode(p, rng: &rng), length: length)
      let q = rows.values()
      let expected = Vec.portableSquaredNormAndDistance(p, q)
      #expect(Vec.squaredNormAndDistance(p, q).norm.bitPattern == expected.norm.bitPattern)
      let difference = Vec.difference(p, q).map(\.bitPattern)
      for level in [HSQ_KERNELS_AUTO, HSQ_KERNELS_AVX512, HSQ_KERNELS_AVX2, HSQ_KERNELS_PORTABLE] {
        for withDifference in [false, true] {
          let got = rows.errorStatistics(of: p, difference: withDifference, level: level)
          let context = "\(spelling), d \(length), level \(level.rawValue), difference \(withDifference)"
          #expect(got.norm.bitPattern == expected.norm.bitPattern && got.distance.bitPattern == expected.distance.bitPattern, "\(context)")
          #expect(got.difference?.map(\.bitPattern) == (withDifference ? difference : nil), "\(context)")
        }
      }
    }
  }

  /// Every one-bit change of a payload decodes or gives one clear error; an index past K and a level past 2ⁿ are
  /// named (the validation is one vectorized pass, the message the first offender's).
  @Test func damagedIndicesAndLevelsAreNamed() throws {
    let compressor = try #require(try Compressors.make("hsq:dim=4,k=5,norm-bits=2") as? HSQCompressor)
    var rng = RandomStream(seed: 3)
    let v = (0..<24).map { _ in Float(rng.gaussian()) }
    let payload = try compressor.encode(v, rng: &rng)
    var messages: Set<String> = []
    for bit in 0..<payload.bitCount {
      var bytes = payload.bytes
      bytes[bit / 8] ^= UInt8(1 << (bit % 8))
      let damaged = Payload(bytes: bytes, bitCount: payload.bitCount)
      do {
        let decoded = try compressor.decode(damaged, length: v.count)
        #expect(decoded.map(\.bitPattern) == (try compressor.rows(damaged, length: v.count)).values().map(\.bitPattern))
      } catch let error as HSQError {
        if "\(error)".contains("out of range for K = 5") { messages.insert("index") }
        if "\(error)".contains("is above 2ⁿ = 4") { messages.insert("level") }
      }
    }
    #expect(messages == ["index", "level"])
  }
}
