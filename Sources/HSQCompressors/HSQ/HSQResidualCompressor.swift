import HSQCodebooks
import HSQCore

/// Two-stage HSQ: a nearest-neighbour stage, then an unbiased stage on what it left over.
///
/// ```
/// Q₁ = hsq(v)               (nearest codeword, n-bit scalars)
/// r  = v − Q₁
/// Q(v) = Q₁ + hsq-unbiased(r)
/// ```
///
/// **Properties:** unbiased, since E[hsq-unbiased(r) | Q₁] = r; the error is the
/// second stage's alone, E‖Q(v) − v‖² = E Σₘ(‖C⁺rₘ‖₁² − ‖rₘ‖²) ≤ ω₂(C)·E‖r‖² and
/// E‖r‖² ≤ (1 − δ(C))‖v‖² (+ the first stage's rounding). Twice the bits of one
/// stage: M(⌈log₂K⌉ + n₁ + 1) + 64 + M(⌈log₂K⌉ + 32) with the defaults.
public struct HSQResidualCompressor: CompressorComponent {
  public static let info = ComponentInfo(
    kind: .compressor, name: "hsq-residual",
    parameters: HSQSettings.parameters(normBits: 6, codebook: "gaussian")
      + [.int("residual-bits", 1...32, default: 32, doc: "Scalar bits of the unbiased second stage (1...16, or 32 for float32).")])

  let first: HSQCompressor
  let second: HSQUnbiasedCompressor
  public let spec: String

  public init(_ parameters: ParameterValues) throws {
    // The stages are built under their own names, and the second takes residual-bits as its norm-bits: check the
    // widths here, so that a refusal names what the user wrote.
    for name in ["norm-bits", "residual-bits"] {
      try HSQSettings.requireScalarBits(parameters.int(name), component: Self.info.name, parameter: name)
    }
    var firstValues = parameters.values
    firstValues["residual-bits"] = nil
    var secondValues = firstValues
    secondValues["norm-bits"] = parameters.values["residual-bits"]
    let order = HSQSettings.parameters(normBits: 6, codebook: "gaussian").map(\.name)
    first = try HSQCompressor(ParameterValues(component: "hsq", values: firstValues, order: order))
    second = try HSQUnbiasedCompressor(ParameterValues(component: "hsq-unbiased", values: secondValues, order: order))
    spec = HSQSettings.canonical(parameters)
  }

  public var properties: CompressorProperties {
    .init(isUnbiased: true, isFixedSize: true, isDeterministic: false)
  }

  /// ω = ω₂'·(1 − δ'), with ω₂' and δ' the stages' own worst cases including scalar rounding.
  public func guarantee(length d: Int) -> Guarantee {
    let m = Double(SubvectorLayout(length: d, dim: first.settings.dim).count)
    let rounding = first.settings.scalars.isExact ? 0 : m / Double(1 << (2 * first.settings.scalars.bits))
    return .unbiased(omega: second.totalOmega(length: d) * (1 - first.deltaLowerBound + rounding))
  }

  public func bits(length d: Int) -> Int? {
    first.settings.bits(length: d) + second.settings.bits(length: d)
  }

  public var bitsFormula: String { first.bitsFormula + " + " + second.bitsFormula }

  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    try Vec.requireFinite(v, what: "The input to 'hsq-residual'")
    let p1 = try first.encode(v, rng: &rng)
    var residual = try first.decode(p1, length: v.count)
    for i in 0..<v.count { residual[i] = v[i] - residual[i] }
    let p2 = try second.encode(residual, rng: &rng)
    var writer = BitWriter(reservingBits: p1.bitCount + p2.bitCount)
    writer.append(p1)
    writer.append(p2)
    return writer.payload()
  }

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    guard let total = bits(length: d) else { return [] }
    try requireBits(payload, total, spec, length: d)
    let (p1, p2) = payload.split(atBit: first.settings.bits(length: d))
    var out = try first.decode(p1, length: d)
    let r = try second.decode(p2, length: d)
    for i in 0..<d { out[i] += r[i] }
    return out
  }

  /// Exact when the first stage's scalars are float32 (then r is deterministic) and the second's too.
  public func expectedError(_ v: [Float]) -> Double? {
    guard first.settings.scalars.isExact else { return nil }
    var rng = RandomStream(seed: 0)
    guard let p1 = try? first.encode(v, rng: &rng), let q1 = try? first.decode(p1, length: v.count) else { return nil }
    return second.expectedError(zip(v, q1).map { $0 - $1 })
  }

  /// ω₂'·E‖r‖², with E‖r‖² the first stage's exact expected error.
  public func errorBound(_ v: [Float]) -> Double? {
    guard let residual = first.expectedError(v) else { return nil }
    return second.totalOmega(length: v.count) * residual
  }
}
