import HSQCore

/// Label skew: each class is split across the workers in proportions drawn from Dirichlet(α).
///
/// ```
/// for each class k (in label order):
///   shuffle its examples;  p ~ Dirichlet(α, …, α) over the N workers
///   worker w gets the slice between round(n_k·Σ_{v<w} p_v) and round(n_k·Σ_{v≤w} p_v)
/// ```
///
/// Small α (0.1) gives each worker few classes; large α (100) approaches
/// `iid`. Gamma draws use Marsaglia–Tsang on `RandomStream.derived(seed,
/// "partition-dirichlet")` (Hsu, Qi & Brown, 2019). Every worker gets at
/// least one example: a worker left empty takes the most recently dealt
/// example of the worker holding the most (ties: the lowest worker index),
/// in worker order; this moves at most N − 1 examples. Regression targets are
/// binned into 10 equal-count ranges that act as labels.
///
/// - Parameter alpha: the Dirichlet concentration α > 0.
public struct DirichletPartition: PartitionerComponent {
  public static let info = ComponentInfo(
    kind: .partition, name: "dirichlet",
    parameters: [
      .double("alpha", 1e-4...1e6, default: 0.5, doc: "Dirichlet concentration α: small is skewed, large is near iid."),
    ])

  public let alpha: Double
  public var name: String { "dirichlet:alpha=\(formatNumber(alpha))" }

  public init(_ parameters: ParameterValues) throws {
    alpha = parameters.double("alpha")
  }

  public init(alpha: Double) {
    precondition(alpha > 0, "alpha must be positive")
    self.alpha = alpha
  }

  public func assign(labels: [Int32], workers: Int, seed: UInt64) throws -> [[Int]] {
    try checkWorkers(workers, count: labels.count)
    var rng = RandomStream.derived(from: seed, purpose: "partition-dirichlet")
    var lists = [[Int]](repeating: [], count: workers)
    for var members in try indicesByClass(labels) where !members.isEmpty {
      rng.shuffle(&members)
      let p = rng.dirichlet(alpha: alpha, count: workers)
      var cumulative = 0.0, start = 0
      for w in 0..<workers {
        cumulative += p[w]
        let cut = w == workers - 1 ? members.count : Int((cumulative * Double(members.count)).rounded())
        let end = min(max(cut, start), members.count)
        lists[w].append(contentsOf: members[start..<end])
        start = end
      }
    }
    for w in 0..<workers where lists[w].isEmpty {
      var donor = 0
      for v in 1..<workers where lists[v].count > lists[donor].count { donor = v }
      lists[w].append(lists[donor].removeLast())
    }
    return lists.map { $0.sorted() }
  }
}
