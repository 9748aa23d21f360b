import HSQCore

/// What a compressor promises about its error, as a worst case over all inputs of a length.
public enum Guarantee: Sendable, Hashable, CustomStringConvertible {
  /// E Q(x) = x and E‖Q(x) − x‖² ≤ ω‖x‖².
  case unbiased(omega: Double)
  /// E‖C(x) − x‖² ≤ (1 − δ)‖x‖², 0 < δ ≤ 1.
  case contraction(delta: Double)
  /// Neither (e.g. sign compression, which changes the scale).
  case none

  /// The multiplicative bound on E‖Q(x) − x‖²/‖x‖²: ω, 1 − δ, or `nil`.
  public var relativeErrorBound: Double? {
    switch self {
    case let .unbiased(omega): return omega
    case let .contraction(delta): return 1 - delta
    case .none: return nil
    }
  }

  public var description: String {
    switch self {
    case let .unbiased(omega): return "unbiased, ω = \(formatNumber(omega))"
    case let .contraction(delta): return "δ-contraction, δ = \(formatNumber(delta))"
    case .none: return "no ω or δ guarantee"
    }
  }
}

/// Facts about a compressor that callers rely on.
public struct CompressorProperties: Sendable, Hashable {
  /// E Q(x) = x for every x.
  public var isUnbiased: Bool
  /// Every payload for a given length has the same bit count (``Compressor/bits(length:)`` is not `nil`).
  public var isFixedSize: Bool
  /// The output does not depend on the random stream.
  public var isDeterministic: Bool

  public init(isUnbiased: Bool, isFixedSize: Bool, isDeterministic: Bool) {
    self.isUnbiased = isUnbiased
    self.isFixedSize = isFixedSize
    self.isDeterministic = isDeterministic
  }
}

/// Turns a Float32 vector into a payload of real bytes and back.
///
/// The contract (checked over the whole registry by the contract tests):
/// * `decode(encode(v), length: v.count)` has `v.count` entries;
/// * a fixed-size compressor's payloads have exactly ``bits(length:)`` bits;
/// * an unbiased one has E Q(v) = v, and E‖Q(v) − v‖² equals ``expectedError(_:)``
///   where it gives one;
/// * E‖Q(v) − v‖² never exceeds ``errorBound(_:)``;
/// * randomness comes only from the stream passed in;
/// * NaN or infinite entries are rejected with ``HSQError/nonFinite(what:index:value:)``.
///
/// Only the payload travels; the compressor instance (codebook, parameters)
/// is known to both ends.
public protocol Compressor: Sendable {
  /// The canonical spelling, e.g. `hsq:dim=16,k=256,codebook=kmeans,norm-bits=6,seed=0`.
  var spec: String { get }
  var properties: CompressorProperties { get }
  /// The worst-case guarantee for vectors of length `d` (a true bound, not an estimate).
  func guarantee(length d: Int) -> Guarantee
  /// The exact payload size in bits for a vector of length `d`, or `nil` when it depends on the values.
  func bits(length d: Int) -> Int?
  /// The payload size as a formula, for help and theory displays.
  var bitsFormula: String { get }
  /// Compresses `v`, drawing any randomness from `rng`.
  func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload
  /// Reconstructs a vector of length `d` from `payload`.
  func decode(_ payload: Payload, length d: Int) throws -> [Float]
  /// E‖Q(v) − v‖² over the compressor's randomness, exactly, where the theory gives a formula.
  func expectedError(_ v: [Float]) -> Double?
  /// Var Q(v)_i for each coordinate, exactly, where the theory gives it; the contract's
  /// unbiasedness check then holds each coordinate's mean to its own standard error.
  func coordinateVariances(_ v: [Float]) -> [Double]?
  /// An upper bound on E‖Q(v) − v‖² for this `v` from the declared constants
  /// (ω‖v‖² or (1 − δ)‖v‖², plus any scalar-quantization term), or `nil` without a guarantee.
  func errorBound(_ v: [Float]) -> Double?
  /// Whether `decode(encode(v), length: v.count)` is `v` bit for bit, so an encoder may keep `v` instead of
  /// decoding its own payload (the identity codec: the payload is the input's bytes). Defaults to `false`.
  var decodesToInput: Bool { get }
}

extension Compressor {
  /// Encodes then decodes `v`: the vector the receiver sees and the payload that travelled.
  public func roundTrip(_ v: [Float], rng: inout RandomStream) throws -> (output: [Float], payload: Payload) {
    let payload = try encode(v, rng: &rng)
    return (try decode(payload, length: v.count), payload)
  }

  /// Default bound from the guarantee alone: ω‖v‖² or (1 − δ)‖v‖².
  public func errorBound(_ v: [Float]) -> Double? {
    guarantee(length: v.count).relativeErrorBound.map { $0 * Vec.squaredNorm(v) }
  }

  public func expectedError(_ v: [Float]) -> Double? { nil }

  public func coordinateVariances(_ v: [Float]) -> [Double]? { nil }

  public var decodesToInput: Bool { false }

  /// Whether ``errorBound(_:)`` holds for every draw, not only for the mean over the compressor's randomness.
  ///
  /// A deterministic compressor has one draw, so its bound on E‖Q(v) − v‖² bounds that draw; a randomized
  /// one's observed error is one sample of a random variable whose mean is bounded, and may exceed the bound.
  /// Displays compare one draw with the bound only when this is true, else the mean (exact or Monte Carlo).
  public var boundsEveryDraw: Bool { properties.isDeterministic }

  /// True when the compressor reproduces its input exactly (deterministic with ω = 0).
  public var isLossless: Bool {
    properties.isDeterministic && guarantee(length: 1) == .unbiased(omega: 0)
  }
}

/// A compressor that registers itself by name: its declaration plus a constructor from parameters.
public protocol CompressorComponent: Compressor, Component {
  init(_ parameters: ParameterValues) throws
}

/// Checks a payload's length against `d` before decoding (used by fixed-size compressors).
@inlinable
func requireBits(_ payload: Payload, _ expected: Int, _ spec: String, length d: Int) throws {
  guard payload.bitCount == expected else {
    throw HSQError.malformedPayload("'\(spec)' expects \(expected) bits for length \(d), got \(payload.bitCount).")
  }
}
