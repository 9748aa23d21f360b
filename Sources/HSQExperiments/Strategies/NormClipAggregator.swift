import HSQCore

/// Clips every worker's message to norm at most c, then takes the mean: bounds what one worker can move.
///
/// ```
/// m̃_w = m_w · min(1, c / ‖m_w‖)          (‖·‖ over all layers of the message)
/// A(m_1, …, m_N) = (1/N) · Σ_w m̃_w
/// ```
///
/// A worker sending a huge message moves the update by at most c/N. A message within the bound is not
/// touched, so when none is clipped the result is `mean`'s, bit for bit; the mean runs as `mean` sums.
///
/// **Properties:** not linear (clipping depends on the norm, so `theory`'s unbiasedness does not hold once a
/// message is clipped); permutation invariant up to rounding; deterministic.
///
/// - Parameter c: the norm bound, > 0 (required: the right scale depends on the model and the protocol;
///   look at the step records' gradient norm).
///
/// Reference: S. P. Karimireddy, L. He, M. Jaggi, "Learning from History for Byzantine Robust
/// Optimization", ICML 2021 (centered clipping; this is its uncentered form).
public struct NormClipAggregator: AggregatorComponent {
  public static let info = ComponentInfo(kind: .aggregator, name: "norm-clip", parameters: [
    ParameterSpec("c", .double(1e-30...1e30), default: nil, required: true, doc: "The norm every message is clipped to, > 0."),
  ])

  public let bound: Double

  public init(_ parameters: ParameterValues) throws {
    self.init(bound: parameters.double("c"))
  }

  public init(bound: Double) {
    precondition(bound > 0 && bound.isFinite, "norm-clip: c \(bound) is not a positive number")
    self.bound = bound
  }

  public var spec: String { "norm-clip:c=\(formatNumber(bound))" }
  public var properties: AggregatorProperties { .init(isLinear: false, isPermutationInvariant: true) }

  /// The factor message `m` is scaled by: min(1, c/‖m‖), 1 when it is within the bound.
  public func factor(_ message: [[Float]]) -> Float {
    let norm = message.reduce(0.0) { $0 + Vec.squaredNorm($1) }.squareRoot()
    return norm > bound ? Float(bound / norm) : 1
  }

  public func aggregate(_ messages: [[[Float]]]) throws -> [[Float]] {
    let clipped = messages.map { message in
      let f = factor(message)
      return f == 1 ? message : message.map { layer in layer.map { f * $0 } }
    }
    return Experiment.workerMean(clipped)
  }
}
