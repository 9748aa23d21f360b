import HSQCodebooks
import HSQCore

/// Unbiased Hyper-Sphere Quantization: sample one codeword with probability proportional to its coefficient.
///
/// ```
/// a = C⁺v                      (pseudo-inverse coefficients, so Ca = v)
/// P(k) = |a_k| / ‖a‖₁
/// send (k, u = sign(a_k)·‖a‖₁);  Q(v) = u·c_k
/// ```
///
/// **Properties** (THEORY.md §2): unbiased, E Q(v) = Σ_k |a_k| sign(a_k) c_k = v;
/// exact variance E‖Q(v) − v‖² = ‖a‖₁² − ‖v‖² for every v (‖Q(v)‖ = ‖a‖₁ always);
/// worst case ω₂(C) = max over unit v of ‖C⁺v‖₁² − 1 ≤ min(K/σ_min² − 1, Σ|(C⁺C⁺ᵀ)ᵢⱼ| − 1).
/// Needs a full-row-rank codebook (K ≥ D). Bits: M(⌈log₂K⌉ + 32), or
/// M(⌈log₂K⌉ + n + 1) + 64 with n-bit scalars (still unbiased; ω grows by M(1 + ω)/4ⁿ).
public struct HSQUnbiasedCompressor: CompressorComponent {
  public static let info = ComponentInfo(
    kind: .compressor, name: "hsq-unbiased",
    summary: "Unbiased Hyper-Sphere Quantization: sample one codeword with probability proportional to its coefficient.",
    doc: """
      a = C⁺v (pseudo-inverse coefficients); pick k with probability |a_k|/‖a‖₁; send \
      (k, sign(a_k)·‖a‖₁); Q(v) = u·c_k. Unbiased with exact variance ‖a‖₁² − ‖v‖² for every v; \
      worst case ω₂(C) ≤ min(K/σ_min² − 1, Σ|(C⁺C⁺ᵀ)ᵢⱼ| − 1). Needs K ≥ D and a full-rank codebook. \
      Bits: M(⌈log₂K⌉ + 32), or M(⌈log₂K⌉ + n + 1) + 64 with norm-bits=n.
      """,
    parameters: HSQSettings.parameters(normBits: 32, codebook: "gaussian"))

  let settings: HSQSettings
  let coefficients: PseudoInverseCoefficients
  /// The codebook's worst-case ω₂ upper bound (float32 scalars).
  public let omegaUpperBound: Double
  public let spec: String

  public init(_ parameters: ParameterValues) throws {
    settings = try HSQSettings(parameters)
    coefficients = try PseudoInverseCoefficients(settings.codebook)
    omegaUpperBound = CodebookBounds.omegaUpperBound(settings.codebook)
    spec = parameters.canonical
  }

  /// Unbiased HSQ with an explicit codebook.
  ///
  /// - Parameters:
  ///   - codebook: K ≥ D unit codewords spanning R^D.
  ///   - normBits: 1...16, or 32 for float32 scalars.
  public init(codebook: Codebook, normBits: Int = 32) throws {
    settings = HSQSettings(codebook: codebook, normBits: normBits)
    coefficients = try PseudoInverseCoefficients(codebook)
    omegaUpperBound = CodebookBounds.omegaUpperBound(codebook)
    spec = settings.spec("hsq-unbiased")
  }

  public var codebook: Codebook { settings.codebook }

  public var properties: CompressorProperties {
    .init(isUnbiased: true, isFixedSize: true, isDeterministic: false)
  }

  public func guarantee(length d: Int) -> Guarantee {
    .unbiased(omega: totalOmega(length: d))
  }

  func totalOmega(length d: Int) -> Double {
    guard !settings.scalars.isExact else { return omegaUpperBound }
    let m = Double(SubvectorLayout(length: d, dim: settings.dim).count)
    return omegaUpperBound + m * (1 + omegaUpperBound) / Double(1 << (2 * settings.scalars.bits))
  }

  public func bits(length d: Int) -> Int? { settings.bits(length: d) }
  public var bitsFormula: String { settings.bitsFormula }

  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    try Vec.requireFinite(v, what: "The input to 'hsq-unbiased'")
    let layout = SubvectorLayout(length: v.count, dim: settings.dim)
    let (indices, scalars) = v.withUnsafeBufferPointer { coefficients.sample($0, layout: layout, rng: &rng) }
    return write(indices: indices, scalars: scalars, settings: settings, rng: &rng)
  }

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    try requireBits(payload, settings.bits(length: d), spec, length: d)
    let layout = SubvectorLayout(length: d, dim: settings.dim)
    var reader = BitReader(payload)
    let (indices, scalars) = try readSubvectors(&reader, count: layout.count, settings: settings)
    var out = [Float](repeating: 0, count: d)
    NearestCodewords(settings.codebook).reconstruct(indices: indices, scalars: scalars, layout: layout, into: &out)
    return out
  }

  /// Σₘ(‖aₘ‖₁² − ‖vₘ‖²), exact for float32 scalars; `nil` with n-bit scalars (their range depends on the draw).
  public func expectedError(_ v: [Float]) -> Double? {
    guard settings.scalars.isExact else { return nil }
    let layout = SubvectorLayout(length: v.count, dim: settings.dim)
    return v.withUnsafeBufferPointer { coefficients.variance($0, layout: layout) }
  }

  /// Σₘ(‖aₘ‖₁² − ‖vₘ‖²) + M(2 maxₘ‖aₘ‖₁)²/(4·4ⁿ).
  public func errorBound(_ v: [Float]) -> Double? {
    let layout = SubvectorLayout(length: v.count, dim: settings.dim)
    let variance = v.withUnsafeBufferPointer { coefficients.variance($0, layout: layout) }
    guard !settings.scalars.isExact else { return variance }
    let largest = v.withUnsafeBufferPointer { coefficients.largestNorm1($0, layout: layout) }
    let delta = 2 * largest / Double(1 << settings.scalars.bits)
    return variance + Double(layout.count) * delta * delta / 4
  }
}

/// Writes M (index, scalar) pairs, quantizing the scalars as `settings` says.
func write(indices: [Int32], scalars: [Float], settings: HSQSettings, rng: inout RandomStream) -> Payload {
  var writer = BitWriter(reservingBits: settings.bits(length: indices.count * settings.dim))
  let levels = scalars.withUnsafeBufferPointer { settings.scalars.quantize($0, into: &writer, rng: &rng) }
  let indexBits = bitsToIndex(settings.codebook.count)
  let scalarBits = settings.scalars.bitsPerScalar
  for m in 0..<indices.count {
    writer.write(UInt32(indices[m]), bits: indexBits)
    writer.write(levels[m], bits: scalarBits)
  }
  return writer.payload()
}
