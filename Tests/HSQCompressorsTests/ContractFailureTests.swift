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
    #expect(!statistics[0].passed && statistics[0].detail.contains("mean Q(v)"), "\(statistics[0].detail)")
    #expect(!statistics[2].passed && statistics[2].detail.contains("above errorBound"), "\(statistics[2].detail)")
    #expect(CompressorContract.nonFiniteInput(c).passed)
  }
}
