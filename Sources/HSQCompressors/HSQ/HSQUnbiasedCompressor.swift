import HSQCodebooks
import HSQCore

/// Unbiased Hyper-Sphere Quantization: sample one codeword with probability proportional to its coefficient.
///
/// ```
/// a = C⁺v                      (coefficients=pinv, the default: minimum-ℓ2, so Ca = v)
/// a = argmin{‖a‖₁ : Ca = v}    (coefficients=l1: one LP per sub-vector)
/// P(k) = |a_k| / ‖a‖₁
/// send (k, u = sign(a_k)·‖a‖₁);  Q(v) = u·c_k
/// ```
///
/// **Properties** (THEORY.md §2): unbiased, E Q(v) = Σ_k |a_k| sign(a_k) c_k = v;
/// exact variance E‖Q(v) − v‖² = ‖a‖₁² − ‖v‖² for every v (‖Q(v)‖ = ‖a‖₁ always);
/// worst case ω₂(C) = max over unit v of ‖C⁺v‖₁² − 1 ≤ min(K/σ_min² − 1, Σ|(C⁺C⁺ᵀ)ᵢⱼ| − 1)
/// with pinv coefficients, ω₁(C) = 1/δ(C) − 1 ≤ ω₂(C) with minimum-ℓ1 ones (declared as
/// min(ω₂'s bound, 1/δ_lower − 1): the rigorous bound known). The ℓ1 rule costs a simplex
/// solve per sub-vector (~0.1 ms for D = 16, K = 256): for theory and small layers.
/// Needs a full-row-rank codebook (K ≥ D). Bits: M(⌈log₂K⌉ + 32), or
/// M(⌈log₂K⌉ + n + 1) + 64 with n-bit scalars (still unbiased; ω grows by M(1 + ω)/4ⁿ).
public struct HSQUnbiasedCompressor: CompressorComponent {
  public static let info = ComponentInfo(
    kind: .compressor, name: "hsq-unbiased",
    parameters: HSQSettings.parameters(normBits: 32, codebook: "gaussian") + [
      .choice("coefficients", Coefficients.allCases.map(\.rawValue), default: Coefficients.pinv.rawValue,
              doc: "pinv: a = C⁺v (worst case ω₂); l1: a = argmin ‖a‖₁ s.t. Ca = v by an LP per sub-vector (worst case ω₁ = 1/δ − 1 ≤ ω₂, slower)."),
    ])

  /// How the coefficients a with Ca = v are chosen.
  public enum Coefficients: String, Sendable, Hashable, CaseIterable {
    /// a = C⁺v, the minimum-ℓ2 solution (the authors' code): worst case ω₂(C).
    case pinv
    /// a = argmin{‖a‖₁ : Ca = v}, a simplex solve per sub-vector: worst case ω₁(C) = 1/δ(C) − 1 ≤ ω₂(C).
    case l1
  }

  let settings: HSQSettings
  /// The coefficient rule.
  public let coefficients: Coefficients
  let sampler: Sampler
  /// The codebook's worst-case ω (float32 scalars): ω₂ with pinv (exact for K ≤ ``Codebook/exactOmega2Limit``, else
  /// its upper bound), ω₁'s upper bound with l1.
  public let omegaUpperBound: Double
  public let spec: String

  /// Built from parameters; `coefficients` may be absent (as from `hsq-residual`), meaning pinv.
  public init(_ parameters: ParameterValues) throws {
    settings = try HSQSettings(parameters)
    coefficients = parameters.optionalString("coefficients").flatMap(Coefficients.init(rawValue:)) ?? .pinv
    (sampler, omegaUpperBound) = try Self.rule(coefficients, settings.codebook)
    spec = HSQSettings.canonical(parameters)
  }

  /// Unbiased HSQ with an explicit codebook.
  ///
  /// - Parameters:
  ///   - codebook: K ≥ D unit codewords spanning R^D.
  ///   - normBits: 1...16, or 32 for float32 scalars.
  ///   - coefficients: pinv (a = C⁺v) or l1 (minimum ‖a‖₁ with Ca = v).
  public init(codebook: Codebook, normBits: Int = 32, coefficients: Coefficients = .pinv) throws {
    settings = HSQSettings(codebook: codebook, normBits: normBits)
    self.coefficients = coefficients
    (sampler, omegaUpperBound) = try Self.rule(coefficients, codebook)
    spec = settings.spec("hsq-unbiased") + ",coefficients=\(coefficients.rawValue)"
  }

  /// The sampler for `choice` and its worst-case ω bound.
  private static func rule(_ choice: Coefficients, _ codebook: Codebook) throws -> (Sampler, Double) {
    let pinvBound = try CodebookBounds.omega2(codebook)
    switch choice {
    case .pinv: return (.pinv(try PseudoInverseCoefficients(codebook)), pinvBound)
    case .l1: return (.l1(try MinimumL1Coefficients(codebook)), MinimumL1Coefficients.omegaUpperBound(codebook, pinvBound: pinvBound))
    }
  }

  /// The coefficient rule's sampler, as an enum so each rule's loops are specialized (no existential).
  enum Sampler: Sendable {
    case pinv(PseudoInverseCoefficients)
    case l1(MinimumL1Coefficients)

    func sample(_ v: UnsafeBufferPointer<Float>, layout: SubvectorLayout, rng: inout RandomStream) -> (indices: [Int32], scalars: [Float]) {
      switch self {
      case let .pinv(c): return c.sampleBlocked(v, layout: layout, rng: &rng)
      case let .l1(c): return c.sample(v, layout: layout, rng: &rng)
      }
    }

    func variance(_ v: UnsafeBufferPointer<Float>, layout: SubvectorLayout) -> Double {
      switch self {
      case let .pinv(c): return c.variance(v, layout: layout)
      case let .l1(c): return c.variance(v, layout: layout)
      }
    }

    func largestNorm1(_ v: UnsafeBufferPointer<Float>, layout: SubvectorLayout) -> Double {
      switch self {
      case let .pinv(c): return c.largestNorm1(v, layout: layout)
      case let .l1(c): return c.largestNorm1(v, layout: layout)
      }
    }
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
    let (indices, scalars) = try sampled(v, rng: &rng)
    return write(indices: indices, scalars: scalars, settings: settings, rng: &rng).payload
  }

  /// Every sub-vector's sampled codeword k and its scalar sign(a_k)·‖a‖₁.
  func sampled(_ v: [Float], rng: inout RandomStream) throws -> (indices: [Int32], scalars: [Float]) {
    try Vec.requireFinite(v, what: "The input to 'hsq-unbiased'")
    let layout = SubvectorLayout(length: v.count, dim: settings.dim)
    return v.withUnsafeBufferPointer { sampler.sample($0, layout: layout, rng: &rng) }
  }

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    try rows(payload, length: d).values()
  }

  /// Σₘ(‖aₘ‖₁² − ‖vₘ‖²), exact for float32 scalars; `nil` with n-bit scalars (their range depends on the draw).
  public func expectedError(_ v: [Float]) -> Double? {
    guard settings.scalars.isExact else { return nil }
    let layout = SubvectorLayout(length: v.count, dim: settings.dim)
    return v.withUnsafeBufferPointer { sampler.variance($0, layout: layout) }
  }

  /// Σₘ(‖aₘ‖₁² − ‖vₘ‖²) + M(2 maxₘ‖aₘ‖₁)²/(4·4ⁿ).
  public func errorBound(_ v: [Float]) -> Double? {
    let layout = SubvectorLayout(length: v.count, dim: settings.dim)
    let variance = v.withUnsafeBufferPointer { sampler.variance($0, layout: layout) }
    guard !settings.scalars.isExact else { return variance }
    let largest = v.withUnsafeBufferPointer { sampler.largestNorm1($0, layout: layout) }
    let delta = 2 * largest / Double(1 << settings.scalars.bits)
    return variance + Double(layout.count) * delta * delta / 4
  }
}

/// Writes M (index, scalar) pairs, quantizing the scalars as `settings` says; returns the payload with the scalars'
/// levels and the (lo, Δ) a decoder reads from its header.
func write(indices: [Int32], scalars: [Float], settings: HSQSettings, rng: inout RandomStream)
  -> (payload: Payload, levels: [UInt32], lo: Float, delta: Float)
{
  var writer = BitWriter(reservingBits: settings.bits(length: indices.count * settings.dim))
  let (levels, lo, delta) = scalars.withUnsafeBufferPointer { settings.scalars.quantizeInRange($0, into: &writer, rng: &rng) }
  guard !indices.isEmpty else { return (writer.payload(), levels, lo, delta) }
  indices.withUnsafeBufferPointer { k in
    levels.withUnsafeBufferPointer { level in
      k.withMemoryRebound(to: UInt32.self) { k in
        writer.write(
          pairs: k.count, k.baseAddress!, bits: bitsToIndex(settings.codebook.count),
          level.baseAddress!, bits: settings.scalars.bitsPerScalar)
      }
    }
  }
  return (writer.payload(), levels, lo, delta)
}

/// ``write(indices:scalars:settings:rng:)`` with the rows a decoder reads back from the payload, made from the
/// indices and the levels without reading the payload: the same rows bit for bit.
func writeRows(indices: [Int32], scalars: [Float], length: Int, settings: HSQSettings, rng: inout RandomStream) -> (payload: Payload, rows: CodewordRows) {
  let (payload, levels, lo, delta) = write(indices: indices, scalars: scalars, settings: settings, rng: &rng)
  // Float32 scalars travel as their bits: the decoder reads back the scalars themselves.
  let values = settings.scalars.isExact ? scalars : settings.scalars.values(levels: levels, lo: lo, delta: delta)
  return (payload, CodewordRows(codebook: settings.codebook, length: length, indices: indices, scalars: values))
}

extension HSQUnbiasedCompressor: RowDecoding {
  public func rows(_ payload: Payload, length d: Int) throws -> CodewordRows {
    try settings.rows(payload, length: d, spec: spec)
  }

  public func encodeRows(_ v: [Float], rng: inout RandomStream) throws -> (payload: Payload, rows: CodewordRows) {
    let (indices, scalars) = try sampled(v, rng: &rng)
    return writeRows(indices: indices, scalars: scalars, length: v.count, settings: settings, rng: &rng)
  }
}
