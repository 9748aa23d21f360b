import Foundation
import HSQCompressors
import HSQCore
import HSQModels

/// What every worker of a process knows and shares, read-only: built from the config alone.
///
/// A worker process (an MPI rank) builds it itself — it reads the dataset and computes the partition
/// from the seed — so nothing but the config has to travel. The server builds it from its own
/// pipeline, sharing the dataset, model and compressor.
public struct WorkerEnvironment: Sendable {
  public let config: ExperimentConfig
  public let model: any Model
  /// The training rows; a worker reads only its shard's.
  public let train: Examples
  /// Each worker's training-example indices, fixed for the run.
  public let shards: [[Int]]
  public let uplink: any Compressor
  /// Per layer: whether it goes through the compressor (else it travels as float32).
  public let compressLayer: [Bool]
  /// FedProx's μ and the Byzantine workers, from the config.
  public let behaviour: ClientBehaviour
  /// The pipeline the environment came from, kept to rebuild only what a new config changes.
  let pipeline: Pipeline

  /// Builds the dataset, model, partition and compressor `config` names (reusing what `old` built for the same names).
  ///
  /// - Throws: an invalid config, or the first component that cannot be built, with its own message.
  public init(config: ExperimentConfig, reusing old: WorkerEnvironment? = nil) throws {
    try config.validate()
    self.init(pipeline: try Pipeline(config, reuse: old?.pipeline, reuseOld: old?.config), config: config)
  }

  init(pipeline: Pipeline, config: ExperimentConfig) {
    self.config = config
    self.pipeline = pipeline
    model = pipeline.model
    train = pipeline.dataset.train
    shards = pipeline.shards
    uplink = pipeline.uplink
    compressLayer = pipeline.compressLayer
    behaviour = ClientBehaviour(config)
  }

  /// Worker threads for a host: the config's count, or one per core.
  var threadCount: Int { config.threads > 0 ? config.threads : ProcessInfo.processInfo.activeProcessorCount }
}

extension ExperimentConfig {
  /// Whether `other` poses the same problem to the workers (dataset, model, partition, workers, seed),
  /// so workers and their memories carry over from one to the other.
  func posesSameProblem(as other: ExperimentConfig) -> Bool {
    dataset == other.dataset && model == other.model && partition == other.partition && workers == other.workers && seed == other.seed
  }
}
