import HSQCore

/// The coordinate-wise median of the workers' messages: robust to a minority of arbitrary messages.
///
/// ```
/// A(m_1, …, m_N)_i = median(m_1,i, …, m_N,i)
///                  = the middle value for odd N, the mean of the two middle values for even N
/// ```
///
/// Fewer than half of the workers cannot move a coordinate outside the range of the honest workers'
/// values, however large what they send (Yin et al. 2018). The price: the median of unbiased messages is
/// not their mean, so `theory`'s unbiasedness and bounds do not apply.
///
/// **Properties:** not linear; permutation invariant (exactly: each coordinate's values are sorted, by a
/// branch-free network sixteen coordinates at a time);
/// deterministic.
///
/// Reference: D. Yin, Y. Chen, K. Ramchandran, P. Bartlett, "Byzantine-Robust Distributed Learning:
/// Towards Optimal Statistical Rates", ICML 2018.
public struct MedianAggregator: AggregatorComponent {
  public static let info = ComponentInfo(kind: .aggregator, name: "median")

  public init(_ parameters: ParameterValues) throws {}
  public init() {}

  public var spec: String { "median" }
  public var properties: AggregatorProperties { .init(isLinear: false, isPermutationInvariant: true) }

  public func aggregate(_ messages: [[[Float]]]) throws -> [[Float]] {
    return coordinatewise(messages) { sorted, n in
      n % 2 == 1 ? sorted[n / 2] : 0.5 * sorted[n / 2 - 1] + 0.5 * sorted[n / 2]
    }
  }
}
