import HSQCompressors
import HSQContract
import HSQCore
import Testing

/// Sends v/2 as float32 but claims to be unbiased with ω = 0 and 16 bits per coordinate: wrong three ways.
private struct MisdeclaredCompressor: Compressor {
  var spec: String { "misdeclared" }
  var properties: CompressorProperties { .init(isUnbiased: true, isFixedSize: true, isDeterministic: false) }
  func guarantee(length d: Int) -> Guarantee { .unbiased(omega: 0) }
  func bits(length d: Int) -> Int? { 16 * d }
  var bitsFormula: String { "16·d" }
  func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    try Vec.requireFinite(v)
    var writer = BitWriter()
    for x in v { writer.write(x / 2) }
    return writer.payload()
  }
  func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    var reader = BitReader(payload)
    return try (0..<d).map { _ in try reader.readFloat() }
  }
}

/// The contract has teeth: a compressor that breaks its declaration fails the matching checks.
@Suite("Compressor contract catches a misdeclared compressor")
struct ContractFailureTests {
  @Test("bits, unbiasedness and bound failures are reported with their input")
  func misdeclared() {
    let c = MisdeclaredCompressor()
    let roundTrip = CompressorContract.roundTrip(c)
    #expect(!roundTrip.passed)
    #expect(roundTrip.failures.contains { $0.contains("bits(length:) says") }, "\(roundTrip.failures.prefix(3))")
    let statistics = CompressorContract.statistics(c, options: .init(draws: 50, longDraws: 10))
    #expect(statistics.map(\.name) == ["unbiasedness", "expected error", "error bound"])
    #expect(statistics[0].failures.contains { $0.contains("mean Q(v)[") }, "\(statistics[0].detail)")
    #expect(statistics[0].failures.contains { $0.contains("a bias along v") }, "\(statistics[0].detail)")
    #expect(!statistics[2].passed && statistics[2].detail.contains("above errorBound"), "\(statistics[2].detail)")
    #expect(CompressorContract.nonFiniteInput(c).passed)
  }

  /// Subtly biased versions of unbiased compressors, each declaring its true expected error.
  ///
  /// Power, from the contract's doc: along v a bias of ε‖v‖ (scale 1.02 and the 1 % sign flip
  /// both give |ε| = 0.02) has z ≈ ε·√(n·d/ω) against the projection's SE; qsgd (ω ≈ 0.01 at
  /// d = 37) gives z ≈ 50 at n = 2000, terngrad (ω ≈ 0.9) z ≈ 5.7 at d = 37 and ≈ 6.7 on the
  /// d = 1027 vector; per coordinate, 0.1·v_i has z = 0.1·|v_i|·√n/σ_i ≈ 4.5/√ω_i, so qsgd's
  /// coordinates 0 (ω_i ≈ 0.01) are far beyond 5.
  static let biased: [(String, BiasedCompressor.Bias)] = ["qsgd", "terngrad", "randomk:k=2"].flatMap { spec in
    [(spec, .scale(1.02)), (spec, .oneIn50(0.1)), (spec, .signFlip(0.01))]
  }

  @Test("a subtly biased compressor fails unbiasedness, beyond the one-coordinate case", arguments: 0..<biased.count)
  func subtlyBiased(index: Int) throws {
    let (spec, bias) = Self.biased[index]
    let c = try BiasedCompressor(spec, bias)
    let statistics = CompressorContract.statistics(c)
    #expect(statistics.map(\.name) == ["unbiasedness", "expected error", "error bound"])
    let beyondOne = statistics[0].failures.filter { !$0.contains(" d=1 ") }
    #expect(!beyondOne.isEmpty, "\(spec), \(bias): unnoticed in \(statistics[0].cases) cases beyond d = 1")
    // Its error is as declared: the bias alone fails it. (Not for the flip: 1 % of 100 draws of
    // the long vector is a rare event, and its mean error is not normal.)
    if case .signFlip = bias {} else {
      #expect(statistics[1].passed && statistics[1].cases > 0, "\(spec), \(bias): \(statistics[1].detail)")
    }
  }
}
