import HSQCore

/// The coordinate-wise trimmed mean: drop the ⌊β·N⌋ largest and smallest values of each coordinate, average the rest.
///
/// ```
/// k = ⌊β·N⌋
/// A(m_1, …, m_N)_i = (1/(N − 2k)) · Σ_{j = k+1}^{N−k} m_(j),i     (m_(j),i: the j-th smallest value)
/// ```
///
/// Up to k arbitrary workers are cut off at each coordinate (Yin et al. 2018). β = 0 is the mean of the
/// sorted values; β close to 1/2 approaches the median. The kept values are summed in ascending order.
///
/// **Properties:** not linear (for k > 0: the trimmed mean of unbiased messages is not their mean, so
/// `theory`'s bounds do not apply); permutation invariant (exactly); deterministic.
///
/// - Parameter beta: the fraction cut from each end, 0 ≤ β < 0.5 (default 0.1: one worker in ten each
///   side; with 8 workers it cuts none, with 10 one each side).
///
/// Reference: D. Yin, Y. Chen, K. Ramchandran, P. Bartlett, "Byzantine-Robust Distributed Learning:
/// Towards Optimal Statistical Rates", ICML 2018.
public struct TrimmedMeanAggregator: AggregatorComponent {
  public static let info = ComponentInfo(kind: .aggregator, name: "trimmed-mean", parameters: [
    .double("beta", 0...0.499999, default: 0.1, doc: "Fraction of the workers cut from each end of every coordinate (0 ≤ β < 0.5)."),
  ])

  public let beta: Double

  public init(_ parameters: ParameterValues) throws {
    self.init(beta: parameters.double("beta"))
  }

  public init(beta: Double) {
    precondition((0..<0.5).contains(beta), "trimmed-mean: beta \(beta) outside [0, 0.5)")
    self.beta = beta
  }

  public var spec: String { "trimmed-mean:beta=\(formatNumber(beta))" }
  public var properties: AggregatorProperties { .init(isLinear: false, isPermutationInvariant: true) }

  /// Values cut from each end when `n` workers take part.
  public func trimmed(workers n: Int) -> Int { Int((beta * Double(n)).rounded(.down)) }

  public func aggregate(_ messages: [[[Float]]]) throws -> [[Float]] {
    let n = messages.count
    let k = trimmed(workers: n)
    let scale = 1 / Float(n - 2 * k)
    return coordinatewise(messages) { sorted, n in
      var sum = CoordinateLanes()
      for j in k..<(n - k) { sum += sorted[j] }
      return scale * sum
    }
  }
}
