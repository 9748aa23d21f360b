import Foundation
import HSQCore

/// Everything needed to resume an experiment bit-identically: its state and its tensors.
///
/// Version 3 is a safetensors file (``Checkpoint+SafeTensors``): the tensors raw, the ``CheckpointState`` as
/// JSON in its metadata, and only the error-feedback memories that are not zeros. Versions 1 and 2 were one
/// JSON file (``Checkpoint+JSON``) and still load. Version 2 and later name step records' fields as `--json`
/// and `export` do (``RecordKeyNames/current``); version 1 used the Swift property names (``RecordKeyNames/version1``).
/// ``validate(model:trainingExamples:)`` checks every version alike.
@dynamicMemberLookup
struct Checkpoint {
  static let currentVersion = 3
  var state: CheckpointState
  var parameters: [FloatArray]
  var initialParameters: [FloatArray]
  var velocity: [FloatArray]
  /// One memory per worker (`config.workers`), or none before the first error-feedback round.
  var memories: [[FloatArray]]
  var serverMemory: [FloatArray]
  /// The server optimizer's state buffers by slot name (Adam's `m` and `v`, …), one tensor per layer; empty
  /// under `sgd` (its state is ``velocity``) and before the optimizer's first step.
  var serverState: [String: [FloatArray]] = [:]

  subscript<T>(dynamicMember field: KeyPath<CheckpointState, T>) -> T { state[keyPath: field] }
}

/// The part of a checkpoint that is not tensors, as JSON: the config, the counters, the history and the events.
struct CheckpointState: Codable {
  var version: Int
  var config: ExperimentConfig
  var stepCount: Int
  var examplesSeen: Int
  var cumulativeBitsUp: Int
  var cumulativeBitsDown: Int
  /// How many workers hold an error-feedback memory (0, or `config.workers`); the memories not stored are zeros.
  /// Version 3 only: a JSON checkpoint holds every memory, so their count says it.
  var memoryWorkers: Int?
  /// Steps the server optimizer's state has taken, when it has a state besides the velocity (then its buffers
  /// are the tensors `serverState.SLOT.LAYER`); absent otherwise, as in checkpoints written before it existed.
  var serverSteps: Int? = nil
  var history: [StepRecord]
  var events: [ExperimentEvent]
}

/// The one field read before the rest: it decides how step records are named.
struct CheckpointVersion: Decodable {
  var version: Int
}

extension Checkpoint {
  /// How step records are named in a checkpoint of `version`.
  static func recordKeyNames(version: Int) -> RecordKeyNames { version >= 2 ? .current : .version1 }

  /// The checkpoint of `experiment` as it is now; the arrays are shared with it, not copied.
  init(_ e: Experiment) throws {
    let memories = try e.memories
    state = CheckpointState(
      version: Self.currentVersion, config: e.config, stepCount: e.stepCount, examplesSeen: e.examplesSeen,
      cumulativeBitsUp: e.cumulativeBitsUp, cumulativeBitsDown: e.cumulativeBitsDown, memoryWorkers: memories.count,
      serverSteps: e.serverState?.steps, history: e.history, events: e.events)
    parameters = e.parameters.map(FloatArray.init)
    initialParameters = e.initialParameters.map(FloatArray.init)
    velocity = e.velocity.map(FloatArray.init)
    self.memories = memories.map { $0.map(FloatArray.init) }
    serverMemory = e.serverMemory.map(FloatArray.init)
    if let state = e.serverState {
      for (k, slot) in state.slots.enumerated() { serverState[slot.name] = state.buffers.map { FloatArray($0[k]) } }
    }
  }
}

/// A Float32 array; in a JSON checkpoint, base64 of its little-endian bytes (compact and exact).
struct FloatArray: Codable {
  var values: [Float]

  init(_ values: [Float]) { self.values = values }

  init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let data = Data(base64Encoded: text), data.count % 4 == 0 else {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not base64 Float32 data"))
    }
    values = data.withUnsafeBytes { raw in
      (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
    }
  }

  func encode(to encoder: any Encoder) throws {
    var data = Data(capacity: values.count * 4)
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    var container = encoder.singleValueContainer()
    try container.encode(data.base64EncodedString())
  }
}

extension Experiment {
  /// Writes the whole state to `path` as a safetensors checkpoint, streamed and atomic.
  ///
  /// The file holds the parameters, the velocity, the server's memory and every error-feedback memory
  /// that is not zeros (a client that never took part has none), so its size follows the state that exists.
  /// - Throws: ``HSQError/unknownExtension(path:what:extensions:alternative:)`` for a `.json` path (JSON
  ///   checkpoints are read, no longer written); ``HSQError/fileWrite(path:problem:)`` when it cannot be written.
  public func save(to path: String) throws {
    try Checkpoint.requireWritableName(path)
    try Checkpoint(self).write(to: path, layers: model.layers)
  }

  /// Loads an experiment saved with ``save(to:)`` (or a JSON checkpoint of an earlier hsq); stepping it
  /// continues bit-identically.
  ///
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` for a missing, truncated or malformed file, or
  ///   any field that does not fit the rest (one line naming it).
  public static func load(from path: String) throws -> Experiment {
    if try Checkpoint.isJSON(path) {
      return try load(data: Data(FileBytes.read(path)), path: path)
    }
    let file = try SafeTensorsFile(path: path)
    do {
      let state = try Checkpoint.state(of: file)
      let experiment = try make(state.config)
      let checkpoint = try Checkpoint(state: state, file: file, layers: experiment.model.layers)
      return try experiment.restore(checkpoint)
    } catch let problem as CheckpointProblem {
      throw problem.error(path: path)
    }
  }

  /// Validates `checkpoint` against this experiment (just built from its config) and takes its state.
  func restore(_ checkpoint: Checkpoint) throws -> Experiment {
    try checkpoint.validate(model: model, trainingExamples: dataset.train.count)
    parameters = checkpoint.parameters.map(\.values)
    initialParameters = checkpoint.initialParameters.map(\.values)
    velocity = checkpoint.velocity.map(\.values)
    do { try setMemories(checkpoint.memories.map { $0.map(\.values) }) } catch { throw CheckpointProblem("memories", "cannot be handed to the workers", error) }
    serverMemory = checkpoint.serverMemory.map(\.values)
    serverState = try checkpoint.serverOptimizerState(slots: strategy.optimizer.stateSlots, optimizer: config.serverOptimizerSpec, layers: parameters.count)
    stepCount = checkpoint.stepCount
    examplesSeen = checkpoint.examplesSeen
    cumulativeBitsUp = checkpoint.cumulativeBitsUp
    cumulativeBitsDown = checkpoint.cumulativeBitsDown
    history = checkpoint.history
    events = checkpoint.events
    return self
  }

  /// The experiment a checkpoint's config describes, or the config field that is out of range or cannot be built.
  static func make(_ config: ExperimentConfig) throws -> Experiment {
    var config = config
    // A checkpoint saved by hsq-mpi loads where its backend does not run: the workers become threads (same records).
    if !WorkerBackends.isAvailable(config.backend) { config.backend = nil }
    for field in ExperimentConfig.fields {
      do { try field.check(config) } catch { throw CheckpointProblem("config.\(field.codingKey)", "is not valid", error) }
    }
    do { _ = try DatasetCache.shared.load(config.dataset) } catch { throw CheckpointProblem("config.dataset", "cannot be loaded", error) }
    do { return try Experiment(config) } catch { throw CheckpointProblem("config", "cannot be built", error) }
  }
}
