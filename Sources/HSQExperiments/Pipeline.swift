import Foundation
import HSQCompressors
import HSQCore
import HSQDatasets
import HSQModels
import Synchronization

/// The components an experiment's config names, built once and rebuilt only when their names change.
struct Pipeline: Sendable {
  let dataset: Dataset
  let model: any Model
  let shards: [[Int]]
  let uplink: any Compressor
  let downlink: (any Compressor)?
  /// Per layer: whether it goes through the compressor.
  let compressLayer: [Bool]
  let test: Examples

  init(_ config: ExperimentConfig, reuse old: Pipeline? = nil, reuseOld: ExperimentConfig? = nil) throws {
    let same = { (key: KeyPath<ExperimentConfig, String>) in old != nil && reuseOld?[keyPath: key] == config[keyPath: key] }
    dataset = same(\.dataset) ? old!.dataset : try DatasetCache.shared.load(config.dataset)
    model = same(\.dataset) && same(\.model) ? old!.model : try Models.make(config.model, for: dataset)
    try Self.checkMemory(config, model: model, dataset: dataset)
    if same(\.dataset), same(\.partition), reuseOld?.workers == config.workers, reuseOld?.seed == config.seed {
      shards = old!.shards
    } else {
      let partitioner = try Partitions.make(config.partition)
      shards = try partitioner.assign(dataset.train, workers: config.workers, seed: config.seed)
    }
    uplink = same(\.compressor) ? old!.uplink : try Compressors.make(config.compressor)
    if config.downlink == "none" {
      downlink = nil
    } else {
      downlink = same(\.downlink) ? old!.downlink : try Compressors.make(config.downlink)
    }
    compressLayer = model.layers.map { config.compresses(parameterCount: $0.count) }
    if config.testSubset > 0, config.testSubset < dataset.test.count {
      test = dataset.test.subset(Array(0..<config.testSubset))
    } else {
      test = dataset.test
    }
  }
}

/// Datasets by spelling, loaded once per process (Fashion-MNIST takes a moment to inflate).
final class DatasetCache: Sendable {
  static let shared = DatasetCache()
  private let loaded = Mutex<[String: Dataset]>([:])

  func load(_ spec: String) throws -> Dataset {
    if let hit = loaded.withLock({ $0[spec] }) { return hit }
    let dataset = try Datasets.load(spec)
    loaded.withLock { $0[spec] = dataset }
    return dataset
  }
}
