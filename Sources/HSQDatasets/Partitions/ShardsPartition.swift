import HSQCore

/// Pathological label skew (McMahan et al., 2017): sort by label, cut into shards, deal each worker a few.
///
/// ```
/// S = shards-per-worker · N shards; class k gets s_k ≥ 1 of them (greedily to the class
///     with the most examples per shard, so shards are as equal as possible)
/// each class's shuffled examples are cut into s_k contiguous shards (no shard mixes labels)
/// the S shards are shuffled; worker w gets shards w·spw ..< (w+1)·spw
/// ```
///
/// Because no shard mixes two labels, every worker holds at most
/// `shards-per-worker` distinct labels. This needs S ≥ the number of classes
/// (else some worker must hold more) and S ≤ the number of examples (no empty
/// shard); other settings are refused with the fix. Randomness:
/// `RandomStream.derived(seed, "partition-shards")`. Regression targets are
/// binned into 10 equal-count ranges that act as labels.
///
/// - Parameter shards-per-worker: how many shards (hence at most how many labels) each worker gets.
public struct ShardsPartition: PartitionerComponent {
  public static let info = ComponentInfo(
    kind: .partition, name: "shards",
    parameters: [
      .int("shards-per-worker", 1...10_000, default: 2, doc: "Shards per worker, hence the most labels a worker holds."),
    ])

  public let shardsPerWorker: Int
  public var name: String { "shards:shards-per-worker=\(shardsPerWorker)" }

  public init(_ parameters: ParameterValues) throws {
    shardsPerWorker = parameters.int("shards-per-worker")
  }

  public init(shardsPerWorker: Int) {
    precondition(shardsPerWorker >= 1, "shards-per-worker must be at least 1")
    self.shardsPerWorker = shardsPerWorker
  }

  public func assign(labels: [Int32], workers: Int, seed: UInt64) throws -> [[Int]] {
    try checkWorkers(workers, count: labels.count)
    let classes = try indicesByClass(labels).filter { !$0.isEmpty }
    let total = shardsPerWorker * workers
    guard total >= classes.count else {
      let need = (classes.count + workers - 1) / workers
      throw HSQError.invalidArgument(
        "shards-per-worker × workers = \(total) shards is fewer than the \(classes.count) classes, so some worker would hold more than \(shardsPerWorker) labels; use shards-per-worker=\(need) or more.")
    }
    guard total <= labels.count else {
      throw HSQError.invalidArgument(
        "shards-per-worker × workers = \(total) shards is more than the \(labels.count) examples, so some shard would be empty; use shards-per-worker=\(max(1, labels.count / workers)) or less.")
    }
    // Shards per class: one each, then greedily to the class with the most examples per shard.
    var counts = [Int](repeating: 1, count: classes.count)
    for _ in classes.count..<total {
      var best = -1
      for k in classes.indices where counts[k] < classes[k].count {
        if best < 0 || classes[k].count * counts[best] > classes[best].count * counts[k] { best = k }
      }
      counts[best] += 1
    }
    var rng = RandomStream.derived(from: seed, purpose: "partition-shards")
    var shards: [ArraySlice<Int>] = []
    shards.reserveCapacity(total)
    for (k, members) in classes.enumerated() {
      var members = members
      rng.shuffle(&members)
      let m = members.count, s = counts[k]
      for i in 0..<s { shards.append(members[(i * m / s)..<((i + 1) * m / s)]) }
    }
    rng.shuffle(&shards)
    return (0..<workers).map { w in
      shards[(w * shardsPerWorker)..<((w + 1) * shardsPerWorker)].flatMap { $0 }.sorted()
    }
  }
}
