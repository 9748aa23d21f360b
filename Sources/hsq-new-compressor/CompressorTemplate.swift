/// The compressor file `hsq-new-compressor` writes: a complete, documented compressor that
/// passes hsq's contract, to be edited into a new one. `__Type__` and `__name__` are replaced.
let compressorTemplate = #"""
import HSQ

/// Rounds every coordinate at random to one of `levels` evenly spaced magnitudes of ‖v‖_∞, keeping its sign.
///
/// ```
/// m = ‖v‖_∞,  s = levels
/// Q(v)_i = sign(v_i)·(m/s)·(ℓ_i + b_i),  ℓ_i = ⌊s|v_i|/m⌋,  b_i ~ Bernoulli(p_i),  p_i = s|v_i|/m − ℓ_i
/// payload: m as float32, then per coordinate a sign bit and ℓ_i + b_i in ⌈log₂(s + 1)⌉ bits
/// ```
///
/// Written by `swift package hsq-new-compressor __Type__` as a starting point: replace the
/// maths, keep the shape. Each member is a hook hsq reads — `info` for help and parameters,
/// `spec` to rebuild it, `properties` and `guarantee(length:)` for the theory displays and the
/// contract, `bits(length:)` and `bitsFormula` for bit accounting, `encode`/`decode` for the
/// payload that travels, `expectedError`/`errorBound` for the statistical checks.
///
/// **Properties**
/// - unbiased: E Q(v)_i = sign(v_i)·(m/s)·(ℓ_i + p_i) = v_i;
/// - exact variance: E‖Q(v) − v‖² = (m/s)²·Σ_i p_i(1 − p_i);
/// - ω = min(d/(4s²), √d/s): p(1 − p) ≤ 1/4 and p ≤ s|v_i|/m, with m ≤ ‖v‖ and ‖v‖₁ ≤ √d‖v‖;
/// - fixed size: 32 + d·(1 + ⌈log₂(s + 1)⌉) bits.
///
/// Parameters: `levels`, s, from 1 to 255 (default 4: 4 bits per coordinate).
///
/// Reference: Alistarh et al., QSGD, NeurIPS 2017 (here scaled by the ∞-norm).
public struct __Type__: CompressorComponent {
  /// What `help __name__` prints, and the parameters `__name__:levels=8` is parsed against.
  public static let info = ComponentInfo(
    kind: .compressor, name: "__name__",
    summary: "Rounds every coordinate at random to one of s evenly spaced magnitudes of ‖v‖_∞, keeping its sign.",
    doc: """
      m = ‖v‖_∞; Q(v)_i = sign(v_i)·(m/s)·(ℓ_i + b_i), ℓ_i = ⌊s|v_i|/m⌋, b_i ~ Bernoulli(s|v_i|/m − ℓ_i)
      payload: m as float32, then a sign bit and a level in ⌈log₂(s + 1)⌉ bits per coordinate.
      Properties: unbiased; exact variance (m/s)²·Σ p_i(1 − p_i); ω = min(d/(4s²), √d/s);
      32 + d·(1 + ⌈log₂(s + 1)⌉) bits.
      Reference: Alistarh et al., QSGD, NeurIPS 2017 (scaled by the ∞-norm).
      """,
    parameters: [
      .int("levels", 1...255, default: 4, doc: "magnitudes per sign, s: more levels cost more bits and leave less variance")
    ])

  /// s, the number of non-zero magnitudes.
  public let levels: Int

  public init(levels: Int = 4) { self.levels = levels }

  /// Builds from parameters the registry has already validated against `info`.
  public init(_ parameters: ParameterValues) throws {
    self.init(levels: parameters.int("levels"))
  }

  // MARK: - Declaration

  /// The canonical spelling: `Compressors.make(spec)` rebuilds this compressor.
  public var spec: String { "__name__:levels=\(levels)" }

  public var properties: CompressorProperties {
    .init(isUnbiased: true, isFixedSize: true, isDeterministic: false)
  }

  /// The worst case over all vectors of length `d`: a true bound, which the contract checks.
  public func guarantee(length d: Int) -> Guarantee {
    let s = Double(levels)
    let n = Double(d)
    return .unbiased(omega: min(n / (4 * s * s), n.squareRoot() / s))
  }

  /// Bits for one level, 0…s.
  var levelBits: Int { bitsToIndex(levels + 1) }

  public func bits(length d: Int) -> Int? { 32 + d * (1 + levelBits) }

  public var bitsFormula: String { "32 + d·(1 + ⌈log₂(levels + 1)⌉)" }

  // MARK: - Payload

  /// Compresses `v`; every random draw comes from `rng`, so a seed reproduces the payload.
  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    try Vec.requireFinite(v, what: "The input to '__name__'")
    let m = Vec.normInf(v)
    let s = Float(levels)
    var writer = BitWriter(reservingBits: bits(length: v.count)!)
    writer.write(m)
    for x in v {
      var level: UInt32 = 0
      if m > 0 {
        let scaled = s * (abs(x) / m)  // in [0, s]: |x|/m ≤ 1 exactly
        let low = scaled.rounded(.down)
        level = UInt32(low) + (rng.uniformFloat() < scaled - low ? 1 : 0)
      }
      writer.write(x < 0)
      writer.write(level, bits: levelBits)
    }
    return writer.payload()
  }

  /// Reconstructs `d` values; any payload that is not one `encode` could write throws malformedPayload.
  public func decode(_ payload: Payload, length d: Int) throws -> [Float] {
    let expected = bits(length: d)!
    guard payload.bitCount == expected else {
      throw HSQError.malformedPayload("'\(spec)' expects \(expected) bits for length \(d), got \(payload.bitCount).")
    }
    var reader = BitReader(payload)
    let m = try reader.readFloat()
    guard m.isFinite, m >= 0 else {
      throw HSQError.malformedPayload("a '__name__' payload has scale \(m); the scale is finite and non-negative.")
    }
    let step = m / Float(levels)
    var out: [Float] = []
    out.reserveCapacity(d)
    for _ in 0..<d {
      let negative = try reader.readBool()
      let level = try reader.read(bits: levelBits)
      guard level <= levels else {
        throw HSQError.malformedPayload("a '__name__' payload has level \(level); '\(spec)' has at most \(levels).")
      }
      out.append(negative ? -Float(level) * step : Float(level) * step)
    }
    try reader.finish()
    return out
  }

  // MARK: - Theory hooks

  /// E‖Q(v) − v‖² exactly: the contract compares it with a Monte Carlo mean, within 5 standard errors.
  public func expectedError(_ v: [Float]) -> Double? {
    guard v.allSatisfy(\.isFinite) else { return nil }
    let m = Double(Vec.normInf(v))
    guard m > 0 else { return 0 }
    let s = Double(levels)
    var sum = 0.0
    for x in v {
      let scaled = s * (Double(abs(x)) / m)
      let p = scaled - scaled.rounded(.down)
      sum += p * (1 - p)
    }
    return sum * (m / s) * (m / s)
  }

  // `errorBound(_:)` defaults to ω‖v‖² from `guarantee(length:)`; override it when a tighter
  // bound for this `v` is known.
}

// MARK: - Loading into hsq-repl

/// The entry point `load __Type__.swift` calls after compiling this file: register every component here.
///
/// One per add-on: when a directory holds several compressors, register them all in one such function.
@_cdecl("hsq_register")
public func hsqRegister() {
  AddOnRegistration.run { try Compressors.register(__Type__.self) }
}

"""#
