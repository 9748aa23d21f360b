import HSQCore

/// Independent, identically distributed workers: shuffle the examples and deal equal slices.
///
/// ```
/// order  = Fisher–Yates shuffle of 0..<n with RandomStream.derived(seed, "partition-iid")
/// worker w gets order[⌊w·n/N⌋ ..< ⌊(w+1)·n/N⌋]
/// ```
///
/// Worker sizes differ by at most one. Labels are ignored (only their count
/// matters), so regression data works unchanged.
public struct IIDPartition: PartitionerComponent {
  public static let info = ComponentInfo(kind: .partition, name: "iid")

  public let name = "iid"

  public init(_ parameters: ParameterValues) throws {}

  public init() {}

  public func assign(labels: [Int32], workers: Int, seed: UInt64) throws -> [[Int]] {
    let n = labels.count
    try checkWorkers(workers, count: n)
    var order = Array(0..<n)
    var rng = RandomStream.derived(from: seed, purpose: "partition-iid")
    rng.shuffle(&order)
    return (0..<workers).map { w in order[(w * n / workers)..<((w + 1) * n / workers)].sorted() }
  }
}
