import Foundation
import HSQCore
import HSQDatasets
import Testing

@Suite("partitions")
struct PartitionTests {
  /// 10 classes of 600 examples in a scrambled order.
  static let labels: [Int32] = {
    var l = (0..<6000).map { Int32($0 % 10) }
    var rng = RandomStream(seed: 1)
    rng.shuffle(&l)
    return l
  }()

  @Test("Every registered partition covers every index once, gives each worker some, and is deterministic",
        arguments: Partitions.registry.names)
  func contract(name: String) throws {
    let partition = try Partitions.make(name)
    for workers in [5, 7, 30] {
      let lists = try partition.assign(labels: Self.labels, workers: workers, seed: 42)
      #expect(lists.count == workers)
      #expect(lists.allSatisfy { !$0.isEmpty && $0 == $0.sorted() })
      let all = lists.flatMap { $0 }
      #expect(all.count == Self.labels.count && Set(all) == Set(0..<Self.labels.count), "\(name), \(workers) workers")
      #expect(try partition.assign(labels: Self.labels, workers: workers, seed: 42) == lists)
    }
    let a = try partition.assign(labels: Self.labels, workers: 7, seed: 1)
    let b = try partition.assign(labels: Self.labels, workers: 7, seed: 2)
    #expect(a != b, "another seed should give another partition")
    let error = #expect(throws: HSQError.self) { _ = try partition.assign(labels: [0, 1, 0], workers: 4, seed: 0) }
    #expect(error?.description.contains("at most 3 workers") == true)
  }

  @Test("Every registered partition splits regression data (targets binned as labels)", arguments: Partitions.registry.names)
  func regression(name: String) throws {
    let data = try Datasets.load("linear:d=4,n=500")
    let lists = try Partitions.make(name).assign(data.train, workers: 5, seed: 3)
    #expect(Set(lists.flatMap { $0 }) == Set(0..<500) && lists.allSatisfy { !$0.isEmpty })
  }

  @Test("Target bins have equal counts and follow the target order")
  func targetBins() {
    let targets: [Float] = (0..<100).map { Float(($0 * 37) % 100) }
    let bins = Partitions.binLabels(targets, bins: 10)
    #expect(histogram(bins, classCount: 10) == [Int](repeating: 10, count: 10))
    #expect((0..<100).allSatisfy { bins[$0] == Int32(targets[$0] / 10) })
  }

  @Test("iid gives every worker the global label mix up to sampling noise")
  func iidIsBalanced() throws {
    let lists = try Partitions.make("iid").assign(labels: Self.labels, workers: 10, seed: 5)
    #expect(lists.map(\.count) == [Int](repeating: 600, count: 10))
    #expect(meanTotalVariation(lists) < 0.1)
  }

  /// Mean over workers of the total-variation distance between the worker's label mix and the global one (uniform).
  func meanTotalVariation(_ lists: [[Int]]) -> Double {
    lists.map { list in
      let h = histogram(list.map { Self.labels[$0] }, classCount: 10)
      return 0.5 * h.reduce(0.0) { $0 + abs(Double($1) / Double(list.count) - 0.1) }
    }.reduce(0, +) / Double(lists.count)
  }

  @Test("dirichlet: small α is skewed, large α is near uniform")
  func dirichletSkew() throws {
    // α = 1000: each worker's class share is 0.1 ± √(0.09/10001) ≈ 0.003, so TV ≈ 0.01; 0.05 is ~4× that.
    let flat = try Partitions.make("dirichlet:alpha=1000").assign(labels: Self.labels, workers: 10, seed: 8)
    #expect(meanTotalVariation(flat) < 0.05)
    // α = 0.05: each class goes almost entirely to one worker, so workers hold one or two classes (TV ≥ 0.5).
    let skewed = try Partitions.make("dirichlet:alpha=0.05").assign(labels: Self.labels, workers: 10, seed: 8)
    #expect(meanTotalVariation(skewed) > 0.6)
  }

  @Test("dirichlet: even a tiny α with more workers than classes leaves no worker empty")
  func dirichletNoEmptyWorker() throws {
    let lists = try Partitions.make("dirichlet:alpha=0.001").assign(labels: Self.labels, workers: 50, seed: 9)
    #expect(lists.allSatisfy { !$0.isEmpty })
    #expect(lists.map(\.count).reduce(0, +) == 6000)
  }

  @Test("shards: each worker holds at most shards-per-worker labels", arguments: [1, 2, 3])
  func shardsLabels(perWorker: Int) throws {
    let lists = try Partitions.make("shards:shards-per-worker=\(perWorker)").assign(labels: Self.labels, workers: 20, seed: 6)
    for (w, list) in lists.enumerated() {
      let distinct = Set(list.map { Self.labels[$0] }).count
      #expect(distinct <= perWorker, "worker \(w) holds \(distinct) labels")
    }
    // Shards are as equal as possible: 6000 / (20·spw) examples each, so worker sizes match.
    #expect(Set(lists.map(\.count)).count == 1)
  }

  @Test("shards: too few or too many shards are refused with the fix")
  func shardsRefusals() throws {
    let few = #expect(throws: HSQError.self) {
      _ = try Partitions.make("shards:shards-per-worker=1").assign(labels: Self.labels, workers: 5, seed: 0)
    }
    #expect(few?.description.contains("shards-per-worker=2") == true)
    #expect(throws: HSQError.self) {
      _ = try Partitions.make("shards:shards-per-worker=3").assign(labels: [0, 1, 0, 1], workers: 2, seed: 0)
    }
  }
}
