import HSQCore

/// The mean of the workers' messages: what the server has always done, and the default.
///
/// ```
/// A(m_1, …, m_N) = (1/N) · Σ_w m_w
/// ```
///
/// Every worker takes the same number of local steps on the same batch size, so the FedAvg
/// weights by examples are equal and this unweighted mean is FedAvg's average. The sum runs in
/// worker order from +0, in groups of 32 workers, exactly as the fused server pass sums: with the
/// `sgd` server optimizer the experiment runs that pass, and this aggregator gives the same bits.
///
/// **Properties:** linear (the aggregate of unbiased messages is unbiased; THEORY.md's bounds
/// hold); permutation invariant up to rounding; deterministic.
public struct MeanAggregator: AggregatorComponent {
  public static let info = ComponentInfo(kind: .aggregator, name: "mean")

  public init(_ parameters: ParameterValues) throws {}
  public init() {}

  public var spec: String { "mean" }
  public var properties: AggregatorProperties { .init(isLinear: true, isPermutationInvariant: true) }

  public func aggregate(_ messages: [[[Float]]]) throws -> [[Float]] {
    Experiment.workerMean(messages)
  }
}
