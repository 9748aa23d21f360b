import HSQCompressors
import HSQCore

/// An unbiased compressor made subtly biased, declaring everything else exactly: the same
/// properties, guarantee and bits, and the biased output's true E‖Q(v) − v‖² as its
/// expectedError (so only the unbiasedness check can tell).
struct BiasedCompressor: Compressor {
  enum Bias: Sendable, CustomStringConvertible {
    /// Q(v) scaled by `factor`: E Q(v) = factor·v.
    case scale(Double)
    /// `fraction`·v_i added to every coordinate i ≡ 0 (mod 50).
    case oneIn50(Double)
    /// Q(v) negated with probability `p`: E Q(v) = (1 − 2p)·v.
    case signFlip(Double)

    var description: String {
      switch self {
      case let .scale(factor): return "scale \(factor)"
      case let .oneIn50(fraction): return "\(fraction)·v_i added to one coordinate in 50"
      case let .signFlip(p): return "sign flipped with probability \(p)"
      }
    }
  }

  let inner: any Compressor
  let bias: Bias

  init(_ spec: String, _ bias: Bias) throws {
    inner = try Compressors.make(spec)
    self.bias = bias
  }

  var spec: String { "biased" }
  var properties: CompressorProperties { inner.properties }
  func guarantee(length d: Int) -> Guarantee { inner.guarantee(length: d) }
  func bits(length d: Int) -> Int? { inner.bits(length: d) }
  var bitsFormula: String { inner.bitsFormula }

  /// Compresses a shifted input v′ (1.02·v; v with one coordinate in 50 moved; −v with
  /// probability p) with the inner compressor, whose output then has mean v′, not v.
  func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload {
    switch bias {
    case let .scale(factor):
      return try inner.encode(v.map { Float(Double($0) * factor) }, rng: &rng)
    case let .oneIn50(fraction):
      return try inner.encode(Self.shifted(v, fraction), rng: &rng)
    case let .signFlip(p):
      let flip = rng.bernoulli(p)
      return try inner.encode(flip ? v.map { -$0 } : v, rng: &rng)
    }
  }

  func decode(_ payload: Payload, length d: Int) throws -> [Float] { try inner.decode(payload, length: d) }

  /// v with (1 + fraction)·v_i for every i ≡ 0 (mod 50).
  static func shifted(_ v: [Float], _ fraction: Double) -> [Float] {
    var v = v
    for i in stride(from: 0, to: v.count, by: 50) { v[i] = Float(Double(v[i]) * (1 + fraction)) }
    return v
  }

  /// The true E‖Q(v′) − v‖² = e(v′) + ‖v′ − v‖² (E Q(v′) = v′); for the flip, the mixture.
  func expectedError(_ v: [Float]) -> Double? {
    func error(_ shifted: [Float]) -> Double? {
      inner.expectedError(shifted).map { $0 + Vec.squaredDistance(shifted, v) }
    }
    switch bias {
    case let .scale(factor): return error(v.map { Float(Double($0) * factor) })
    case let .oneIn50(fraction): return error(Self.shifted(v, fraction))
    case let .signFlip(p):
      guard let kept = error(v), let flipped = error(v.map { -$0 }) else { return nil }
      return (1 - p) * kept + p * flipped
    }
  }

  func errorBound(_ v: [Float]) -> Double? { expectedError(v) }
}
