import HSQ

/// Rounds every coordinate at random to one of `2·levels + 1` evenly spaced values in [−m, m], m = ‖v‖_∞.
///
/// ```
/// m = ‖v‖_∞,  x_i = levels·|v_i|/m ∈ [0, levels],  l_i = ⌊x_i⌋,  p_i = x_i − l_i
/// Q(v)_i = sign(v_i)·(m/levels)·(l_i + b_i),   b_i ~ Bernoulli(p_i)
/// payload: m as float32, then every code sign·(l + b) + levels in ⌈log₂(2·levels + 1)⌉ bits
/// ```
///
/// - unbiased: E Q(v)_i = sign(v_i)·(m/levels)·x_i = v_i;
/// - exact variance: E‖Q(v) − v‖² = (m/levels)² Σ_i p_i(1 − p_i);
/// - ω = (d − 1)/(4·levels²): the largest coordinate has p = 0, every other term is at most ¼,
///   and m² ≤ ‖v‖².
public struct LInfRounding: CompressorComponent {
  public static let info = ComponentInfo(
    kind: .compressor, name: "linf-rounding",
    summary: "Rounds every coordinate at random to one of 2·levels + 1 values in [−‖v‖_∞, ‖v‖_∞] (an example of a custom compressor).",
    doc: """
      m = ‖v‖_∞; x_i = levels·|v_i|/m; Q(v)_i = sign(v_i)·(m/levels)·(⌊x_i⌋ + Bernoulli(x_i − ⌊x_i⌋)).
      payload: m as float32, then one code per coordinate in ⌈log₂(2·levels + 1)⌉ bits.
      Properties: unbiased; exact variance (m/levels)² Σ p_i(1 − p_i); ω = (d − 1)/(4·levels²).
      Registered in-process by notebooks/CustomCompressor (Compressors.register(LInfRounding.self)).
      """,
    parameters: [.int("levels", 1...32_768, default: 4, doc: "positive levels on each side of zero")])

  /// Positive levels on each side of zero.
  public let levels: Int
  /// Bits per coordinate: ⌈log₂(2·levels + 1)⌉.
  let codeBits: Int

  public init(_ parameters: ParameterValues) throws {
    levels = parameters.int("levels")
    codeBits = Int.bitWidth - (2 * levels).leadingZeroBitCount
  }

  public var spec: String { "linf-rounding:levels=\(levels)" }
  public var properties: CompressorProperties { .init(isUnbiased: true, isFixedSize: true, isDeterministic: false) }
  public func guarantee(length d: Int) -> Guarantee { .unbiased(omega: Double(max(d - 1, 0)) / Double(4 * levels * levels)) }
  public func bits(length d: Int) -> Int? { 32 + d * codeBits }
  public var bitsFormula: String { "32 + d·⌈log₂(2·levels + 1)⌉" }

  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    try Vec.requireFinite(v, what: "The input to 'linf-rounding'")
    let m = v.reduce(Float(0)) { max($0, abs($1)) }
    var writer = BitWriter(reservingBits: 32 + v.count * codeBits)
    writer.write(m)
    for x in v {
      let scaled = m > 0 ? Double(abs(x) / m) * Double(levels) : 0
      let low = min(Double(levels), scaled.rounded(.down))
      let level = Int(low) + (rng.uniformDouble() < scaled - low ? 1 : 0)
      writer.write(UInt32((x < 0 ? -level : level) + levels), bits: codeBits)
    }
    return writer.payload()
  }

  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    guard payload.bitCount == 32 + d * codeBits else {
      throw HSQError.malformedPayload("'\(spec)' expects \(32 + d * codeBits) bits for length \(d), got \(payload.bitCount).")
    }
    var reader = BitReader(payload)
    let step = try reader.readFloat() / Float(levels)
    return try (0..<d).map { _ in Float(Int(try reader.read(bits: codeBits)) - levels) * step }
  }

  public func expectedError(_ v: [Float]) -> Double? {
    guard v.allSatisfy(\.isFinite) else { return nil }
    let m = v.reduce(Float(0)) { max($0, abs($1)) }
    guard m > 0 else { return 0 }
    let step = Double(m) / Double(levels)
    return v.reduce(0.0) { sum, x in
      let scaled = Double(abs(x) / m) * Double(levels)
      let p = scaled - min(Double(levels), scaled.rounded(.down))
      return sum + step * step * p * (1 - p)
    }
  }

  public func errorBound(_ v: [Float]) -> Double? {
    guarantee(length: v.count).relativeErrorBound.map { $0 * v.reduce(0.0) { $0 + Double($1) * Double($1) } }
  }
}
