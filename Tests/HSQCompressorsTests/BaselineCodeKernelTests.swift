import CKernels
import Foundation
@testable import HSQCompressors
import HSQCore
import Testing

/// natural's, terngrad's and qsgd's coding kernels (portable C, AVX-512, and AVX2 for qsgd) against the
/// per-coordinate Swift loops they replaced, payload bit for bit, with the same draws.
@Suite struct BaselineCodeKernelTests {
  static let levels = [HSQ_KERNELS_AUTO, HSQ_KERNELS_PORTABLE]
  static let qsgdLevels = [HSQ_KERNELS_AUTO, HSQ_KERNELS_AVX2, HSQ_KERNELS_PORTABLE]

  /// Gaussians with zeros, negative zeros, subnormals, powers of two and huge values mixed in.
  static func input(_ n: Int, seed: UInt64) -> [Float] {
    var rng = RandomStream(seed: seed)
    return (0..<n).map { i in
      switch i % 11 {
      case 3: return 0
      case 5: return -0.0
      case 7: return Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0x807F_FFFF)  // subnormal
      case 9: return Float(sign: i % 2 == 0 ? .plus : .minus, exponent: Int(rng.int(below: 60)) - 30, significand: 1)
      default: return Float(rng.gaussian()) * (i % 13 == 0 ? 1e20 : 1)
      }
    }
  }

  /// NaturalCompressor.encode as it was, one coordinate at a time.
  static func naturalReference(_ v: [Float], rng: inout RandomStream) -> Payload {
    var uniforms = BaselineBits.Uniform23(rng)
    defer { rng = uniforms.rng }
    return Payload.packing(bitCount: 9 * v.count) { packer in
      for x in v {
        let r = uniforms.next()
        let pattern = x.bitPattern
        let magnitude = pattern & 0x7FFF_FFFF
        guard magnitude != 0 else {
          packer.put(0, bits: 9)
          continue
        }
        let field = magnitude >> 23
        let mantissa = magnitude & 0x7F_FFFF
        let exponent: UInt32
        if field > 0 {
          exponent = field + 23 + (r < mantissa ? 1 : 0)
        } else {
          let top = UInt32(31 - mantissa.leadingZeroBitCount)
          let fraction = mantissa - (1 << top)
          exponent = top + 1 + ((r >> (23 - top)) < fraction ? 1 : 0)
        }
        packer.put(exponent << 1 | pattern >> 31, bits: 9)
      }
    }
  }

  /// TernGradCompressor.encode as it was, five coordinates at a time.
  static func terngradReference(_ v: [Float], rng: inout RandomStream) -> Payload {
    let compressor = TernGradCompressor()
    let m = Vec.normInf(v)
    var uniforms = BaselineBits.Uniforms(rng)
    defer { rng = uniforms.rng }
    var u = [Float](repeating: 0, count: 5)
    return Payload.packing(bitCount: compressor.bits(length: v.count)!) { packer in
      packer.put(m)
      var start = 0
      while start < v.count {
        let n = min(5, v.count - start)
        u.withUnsafeMutableBufferPointer { uniforms.fill($0.baseAddress!, n) }
        var group: UInt32 = 0
        for j in stride(from: n - 1, through: 0, by: -1) {
          let x = v[start + j]
          let kept = m > 0 && u[j] < abs(x) / m
          group = group * 3 + (kept ? (x < 0 ? 2 : 1) : 0)
        }
        packer.put(group, bits: n == 5 ? 8 : TernGradCompressor.tailBits[n])
        start += n
      }
    }
  }

  /// QSGDCompressor.encode as it was: a draw per coordinate, two per 64-bit draw, and its Swift level-code loop.
  static func qsgdReference(_ compressor: QSGDCompressor, _ v: [Float], rng: inout RandomStream) throws -> Payload {
    let d = v.count
    let b = compressor.bucketLength(d)
    let scales = try v.withUnsafeBufferPointer { try compressor.bucketScales($0, checkingFinite: true) }
    let s = Float(compressor.levels), sMinusOne = Float(compressor.levels - 1)
    var uniforms = BaselineBits.Uniforms(rng)
    defer { rng = uniforms.rng }
    return Payload.packing(bitCount: compressor.bits(length: d)!) { packer in
      for scale in scales { packer.put(scale) }
      for (index, sigma) in scales.enumerated() {
        for i in (index * b)..<min(index * b + b, d) {
          let u = uniforms.next()
          guard sigma > 0 else {
            packer.put(0, bits: compressor.codeWidth)
            continue
          }
          let value = v[i]
          let r = (abs(value) / sigma) * s
          let nearest = (r + 0x1p23) - 0x1p23
          let low = min(nearest - (nearest > r ? 1 : 0), sMinusOne)
          let level = low + (u < r - low ? 1 : 0)
          packer.put(((level + 0x1p23).bitPattern & 0x7F_FFFF) << 1 | value.bitPattern >> 31, bits: compressor.codeWidth)
        }
      }
    }
  }

  /// The encode against that loop on every kernel level: s = 1, 4, 3 and 65535 levels, buckets of 128, 5 and the whole
  /// vector, both norms, inputs with zeros of both signs, subnormals and magnitudes on the level boundaries.
  @Test(arguments: [0, 1, 5, 127, 128, 129, 4097, 100_352 + 3])
  func qsgdMatchesTheScalarLoop(n: Int) throws {
    var v = Self.input(n, seed: UInt64(n) + 5)
    for i in v.indices where abs(v[i]) > 1e10 { v[i] /= 1e20 }
    for i in stride(from: 2, to: n, by: 17) { v[i] = Float(i % 5) / 4 * (i % 2 == 0 ? 1 : -1) }  // r exactly on a level
    let compressors = [
      try QSGDCompressor(), try QSGDCompressor(bits: 0, bucket: 5), try QSGDCompressor(levels: 3, bucket: 0, norm: .l2),
      try QSGDCompressor(levels: 65535, bucket: 128, norm: .l2),
    ]
    for var compressor in compressors {
      for level in Self.qsgdLevels {
        compressor.level = level
        var ours = RandomStream(seed: 21 + UInt64(n)), theirs = ours
        let payload = try compressor.encode(v, rng: &ours)
        let expected = try Self.qsgdReference(compressor, v, rng: &theirs)
        #expect(payload == expected, "\(compressor.spec), level \(level.rawValue), n \(n)")
        #expect(ours == theirs, "\(compressor.spec), level \(level.rawValue), n \(n): the same draws")
        let decoded = try compressor.decode(payload, length: n)
        #expect(decoded.map(\.bitPattern) == Self.qsgdDecodeReference(compressor, payload, n).map(\.bitPattern),
                "\(compressor.spec), level \(level.rawValue), n \(n): decoded")
      }
    }
  }

  /// QSGDCompressor.decode as it was: each bucket's scale, then ±min(ξ/s·σ, σ) per coordinate.
  static func qsgdDecodeReference(_ compressor: QSGDCompressor, _ payload: Payload, _ d: Int) -> [Float] {
    let b = compressor.bucketLength(d)
    let inverse = 1 / Float(compressor.levels)
    return payload.unpacking { reader in
      let scales = (0..<((d + b - 1) / b)).map { _ in reader.takeFloat() }
      return (0..<d).map { i in
        let code = reader.take(bits: compressor.codeWidth)
        let sigma = scales[i / b]
        let magnitude = min(Float(Int32(code >> 1)) * inverse * sigma, sigma)
        return Float(bitPattern: magnitude.bitPattern | code << 31)
      }
    }
  }

  /// A level above s (5 with s = 4, in 4-bit codes) is refused on every kernel level, wherever it sits.
  @Test func qsgdRefusesALevelAboveS() throws {
    for level in Self.qsgdLevels {
      for position in [0, 15, 16, 99] {
        var compressor = try QSGDCompressor()
        compressor.level = level
        let payload = Payload.packing(bitCount: compressor.bits(length: 100)!) { packer in
          packer.put(Float(1))
          for i in 0..<100 { packer.put(i == position ? 5 << 1 : 4 << 1 | 1, bits: 4) }
        }
        #expect(throws: HSQError.self, "level \(level.rawValue), position \(position)") { try compressor.decode(payload, length: 100) }
      }
    }
  }

  /// BaselineBits.Signs.put as it was: one bit per coordinate, 32 to a field.
  static func signsReference(_ v: [Float], into packer: inout BitPacker) {
    var i = 0
    while i < v.count {
      let n = min(32, v.count - i)
      var word: UInt32 = 0
      for j in 0..<n { word |= (v[i + j] < 0 ? 1 : 0) << UInt32(j) }
      packer.put(word, bits: n)
      i += n
    }
  }

  /// BaselineBits.Signs.take as it was.
  static func signValuesReference(_ d: Int, magnitude: Float, from reader: inout BitUnpacker) -> [Float] {
    var out: [Float] = []
    var i = 0
    while i < d {
      let n = min(32, d - i)
      let word = reader.take(bits: n)
      for j in 0..<n { out.append(Float(bitPattern: magnitude.bitPattern | ((word >> UInt32(j)) & 1) << 31)) }
      i += n
    }
    return out
  }

  /// signsgd's and scaled-sign's sign fields (hsq_sign_words, hsq_sign_values) against the per-bit loops they
  /// replaced: the same payload bytes, at a word boundary (signsgd) and after the 32-bit scale (scaled-sign), and the
  /// same decoded bits, on every level.
  @Test(arguments: lengths)
  func signFieldsMatchTheBitLoops(n: Int) throws {
    let v = Self.input(n, seed: 77 + UInt64(n))
    for level in Self.levels {
      for lead in [0, 32, 5] {
        let made = v.withUnsafeBufferPointer { vp in
          Payload.packing(bitCount: lead + n) { packer in
            packer.put(lead == 0 ? 0 : 0x15, bits: lead)
            BaselineBits.Signs.put(vp, into: &packer, level: level)
          }
        }
        let expected = Payload.packing(bitCount: lead + n) { packer in
          packer.put(lead == 0 ? 0 : 0x15, bits: lead)
          Self.signsReference(v, into: &packer)
        }
        #expect(made == expected, "n = \(n), lead \(lead), level \(level.rawValue)")
        for magnitude: Float in [1, 0.375, 0] {
          let decoded = made.unpacking { reader in
            _ = reader.take(bits: lead)
            return BaselineBits.Signs.take(n, magnitude: magnitude, from: &reader, level: level)
          }
          let reference = expected.unpacking { reader in
            _ = reader.take(bits: lead)
            return Self.signValuesReference(n, magnitude: magnitude, from: &reader)
          }
          #expect(decoded.map(\.bitPattern) == reference.map(\.bitPattern), "n = \(n), lead \(lead), |x| = \(magnitude)")
        }
      }
    }
  }

  static let lengths = [0, 1, 2, 3, 4, 5, 6, 7, 4094, 4095, 4096, 4097, 8191, 100_352 + 3]

  /// Natural's decoded value by code (E << 1 | sign): ±2^(E − 150), 0 for E = 0, as the decoder's table had it.
  static let naturalValues: [Float] = (0..<512).map { code in
    let e = code >> 1
    let magnitude: Float = e == 0 ? 0 : Float(sign: .plus, exponent: e - 150, significand: 1)
    return code & 1 == 1 ? -magnitude : magnitude
  }

  /// hsq_natural_values against that table, every code, both levels.
  @Test func naturalValuesMatchTheTableForEveryCode() {
    let codes = (0..<512).map { UInt32($0) }
    for level in Self.levels {
      var out = [Float](repeating: .nan, count: 512)
      hsq_natural_values(codes, 512, &out, level)
      #expect(out.map(\.bitPattern) == Self.naturalValues.map(\.bitPattern), "level \(level.rawValue)")
    }
  }

  @Test func naturalMatchesTheScalarLoop() throws {
    for level in Self.levels {
      let compressor = NaturalCompressor(level: level)
      for n in Self.lengths {
        let v = Self.input(n, seed: UInt64(n) + 1)
        var ours = RandomStream(seed: 7), theirs = ours
        let payload = try compressor.encode(v, rng: &ours)
        let expected = Self.naturalReference(v, rng: &theirs)
        #expect(payload == expected, "level \(level.rawValue), n \(n)")
        #expect(ours == theirs, "level \(level.rawValue), n \(n): the same draws")
        let decoded = try compressor.decode(payload, length: n)
        let table = Self.naturalValues
        let reference: [Float] = payload.unpacking { reader in (0..<n).map { _ in table[Int(reader.take(bits: 9))] } }
        #expect(decoded.map(\.bitPattern) == reference.map(\.bitPattern), "n \(n)")
      }
    }
  }

  @Test func terngradMatchesTheScalarLoop() throws {
    for level in Self.levels {
      let compressor = TernGradCompressor(level: level)
      for n in Self.lengths {
        var v = Self.input(n, seed: UInt64(n) + 3)
        for i in v.indices where abs(v[i]) > 1e10 { v[i] /= 1e20 }  // keep some coordinates near m
        var ours = RandomStream(seed: 9), theirs = ours
        let payload = try compressor.encode(v, rng: &ours)
        let expected = Self.terngradReference(v, rng: &theirs)
        #expect(payload == expected, "level \(level.rawValue), n \(n)")
        #expect(ours == theirs, "level \(level.rawValue), n \(n): the same draws")
        let decoded = try compressor.decode(payload, length: n)
        let m = Vec.normInf(v)
        for i in decoded.indices { #expect(decoded[i] == 0 || abs(decoded[i]) == m && (decoded[i] < 0) == (v[i] < 0)) }
      }
    }
  }

  @Test func terngradRejectsAGroupAbove242() throws {
    var bytes = [UInt8](repeating: 0, count: 4 + 2)
    bytes[0] = 0; bytes[1] = 0; bytes[2] = 0x80; bytes[3] = 0x3F  // m = 1
    bytes[4] = 243
    let payload = Payload(bytes: bytes, bitCount: TernGradCompressor().bits(length: 10)!)
    #expect(throws: HSQError.self) { try TernGradCompressor().decode(payload, length: 10) }
  }

  @Test func allZeroVectorsSendZeros() throws {
    var rng = RandomStream(seed: 1)
    for compressor in [TernGradCompressor() as any Compressor, NaturalCompressor()] {
      let out = try compressor.decode(try compressor.encode([Float](repeating: 0, count: 12), rng: &rng), length: 12)
      #expect(out == [Float](repeating: 0, count: 12))
    }
  }
}
