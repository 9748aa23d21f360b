import CKernels
import HSQCore
import Testing

@testable import HSQCompressors

/// fp16's bulk conversions (half.c) at every kernel level against Swift's `Float16` conversions, bit
/// for bit: ties, overflow, subnormals, NaN and ±∞, scales at both ends, and every tail length.
@Suite struct HalfKernelTests {
  static let levels: [(String, hsq_kernel_level)] = [
    ("auto", HSQ_KERNELS_AUTO), ("avx512", HSQ_KERNELS_AVX512), ("avx2", HSQ_KERNELS_AVX2), ("portable", HSQ_KERNELS_PORTABLE),
  ]
  static let scales: [Float] = [1, 0x1p-126, 0x1p-40, 0x1p-14, 0x1p14, 0x1p40, 0x1p126]

  /// Floats on and around every half, the exact midpoints between neighbours (ties), and a sweep of bit patterns.
  static let adversarial: [Float] = {
    var values: [Float] = [0, -0, .infinity, -.infinity, .nan, -.nan, Float(bitPattern: 0x7FA0_0001), Float(bitPattern: 0xFFC1_2345),
                           .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, 65504, 65519.996, 65520, -65520]
    for bits in UInt16(0)...UInt16(0x7BFF) {
      let a = Float(Float16(bitPattern: bits)), b = Float(Float16(bitPattern: bits + 1))
      let mid = (a + b) / 2
      for x in [a, mid, mid.nextUp, mid.nextDown, a.nextUp] { values += [x, -x] }
    }
    for pattern in stride(from: UInt32(0), to: UInt32.max - 1_000_003, by: 1_000_003) { values.append(Float(bitPattern: pattern)) }
    return values
  }()

  static func bits(_ x: [Float]) -> [UInt32] { x.map(\.bitPattern) }

  @Test("float → half equals Float16(x·scale) at each level", arguments: levels.map(\.0))
  func toHalf(name: String) {
    let level = Self.levels.first { $0.0 == name }!.1
    let v = Self.adversarial
    for scale in Self.scales {
      let expected = v.map { Float16($0 * scale).bitPattern }
      var got = [UInt16](repeating: 0xDEAD, count: v.count)
      v.withUnsafeBufferPointer { vp in got.withUnsafeMutableBufferPointer { FP16Compressor.halves(vp, scale: scale, into: $0.baseAddress!, level: level) } }
      let wrong = (0..<v.count).first { got[$0] != expected[$0] }
      #expect(wrong == nil, "level \(name), scale \(scale): \(wrong.map { "x = \(v[$0]) (\(v[$0].bitPattern)) gave \(got[$0]), want \(expected[$0])" } ?? "")")
    }
  }

  @Test("half → float equals the saturated Float(Double(h)·scale) for all 65536 halves at each level", arguments: levels.map(\.0))
  func fromHalf(name: String) {
    let level = Self.levels.first { $0.0 == name }!.1
    let all = (0...0xFFFF).map { UInt16($0) }
    let finite = all.filter { Float16(bitPattern: $0).isFinite }
    for e in [-163, -150, -140, -126, -24, 0, 24, 100, 112, 113] {
      let scale = Double(sign: .plus, exponent: e, significand: 1)
      let expected = finite.map { FP16Compressor.saturated(Double(Float16(bitPattern: $0)) * scale) }
      var got = [Float](repeating: .nan, count: finite.count)
      let ok = finite.withUnsafeBufferPointer { h in
        got.withUnsafeMutableBufferPointer { FP16Compressor.floats(fromHalves: h.baseAddress!, h.count, scale: scale, into: $0.baseAddress!, level: level) }
      }
      #expect(ok, "level \(name), 2^\(e): finite halves reported non-finite")
      let wrong = (0..<finite.count).first { got[$0].bitPattern != expected[$0].bitPattern }
      #expect(wrong == nil, "level \(name), 2^\(e): \(wrong.map { "half \(finite[$0]) gave \(got[$0]), want \(expected[$0])" } ?? "")")
    }
    for bad in all where !Float16(bitPattern: bad).isFinite && bad % 97 == 0 || bad == 0x7C00 || bad == 0xFE00 {
      var h = [UInt16](repeating: 0x3C00, count: 37)
      h[Int(bad) % 37] = bad
      var out = [Float](repeating: 0, count: 37)
      let ok = FP16Compressor.floats(fromHalves: h, 37, scale: 1, into: &out, level: level)
      #expect(!ok, "level \(name): half \(bad) not reported")
    }
  }

  @Test("every length 0...67 and a large one, through every tail path", arguments: levels.map(\.0))
  func lengths(name: String) {
    let level = Self.levels.first { $0.0 == name }!.1
    var rng = RandomStream(seed: 16)
    for n in Array(0...67) + [100_003] {
      let v = (0..<n).map { _ in Float(rng.gaussian()) * 1e4 }
      var halves = [UInt16](repeating: 0xDEAD, count: n + 1)
      v.withUnsafeBufferPointer { vp in halves.withUnsafeMutableBufferPointer { FP16Compressor.halves(vp, scale: 1, into: $0.baseAddress!, level: level) } }
      #expect(Array(halves.prefix(n)) == v.map { Float16($0).bitPattern }, "level \(name), n = \(n)")
      #expect(halves[n] == 0xDEAD, "level \(name), n = \(n): wrote past the end")
      var back = [Float](repeating: .nan, count: n + 1)
      _ = FP16Compressor.floats(fromHalves: halves, n, scale: 0x1p-3, into: &back, level: level)
      #expect(Self.bits(Array(back.prefix(n))) == Self.bits(halves.prefix(n).map { FP16Compressor.saturated(Double(Float16(bitPattern: $0)) * 0x1p-3) }), "level \(name), n = \(n)")
      #expect(back[n].isNaN, "level \(name), n = \(n): wrote past the end")
    }
  }

  @Test("fp16 payloads are the 16-bit fields BitWriter packs: header, then one half per entry")
  func payloadLayout() throws {
    var rng = RandomStream(seed: 17)
    for (spec, n) in [("fp16", 0), ("fp16", 1), ("fp16", 67), ("fp16", 4099), ("fp16:scale=none", 0), ("fp16:scale=none", 4099)] {
      let compressor = try Compressors.make(spec) as! FP16Compressor
      let v = (0..<n).map { _ in Float(rng.gaussian()) * 1e-30 * (spec == "fp16" ? 1 : 1e30) }
      var writer = BitWriter()
      let e = FP16Compressor.exponent(Vec.normInf(v))
      if compressor.scale == .pow2 { writer.write(UInt32(UInt16(bitPattern: Int16(e))), bits: 16) }
      for x in v { writer.write(UInt32(compressor.scale == .pow2 ? FP16Compressor.half(x, exponent: e).bitPattern : Float16(x).bitPattern), bits: 16) }
      let payload = try compressor.encode(v, rng: &rng)
      #expect(payload == writer.payload(), "\(spec), n = \(n)")
      let decoded = try compressor.decode(payload, length: n)
      #expect(Self.bits(decoded) == Self.bits(v.map { compressor.roundTrip($0, exponent: e) }), "\(spec), n = \(n)")
    }
  }
}
