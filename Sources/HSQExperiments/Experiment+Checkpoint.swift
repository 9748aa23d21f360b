import Foundation
import HSQCore

/// Everything needed to resume an experiment bit-identically, as written to disk.
///
/// Version 2 names step records' fields as `--json` and `export` do (``RecordKeyNames/current``);
/// version 1 used the Swift property names (``RecordKeyNames/version1``) and still loads.
struct Checkpoint: Codable {
  static let currentVersion = 2
  static let versions = 1...currentVersion
  var version: Int
  var config: ExperimentConfig
  var stepCount: Int
  var examplesSeen: Int
  var cumulativeBitsUp: Int
  var cumulativeBitsDown: Int
  var parameters: [FloatArray]
  var initialParameters: [FloatArray]
  var velocity: [FloatArray]
  var memories: [[FloatArray]]
  var serverMemory: [FloatArray]
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
}

/// A Float32 array stored as base64 of its little-endian bytes: compact and exact.
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
  /// Writes the whole state to `path` (JSON, written atomically).
  public func save(to path: String) throws {
    let checkpoint = Checkpoint(
      version: Checkpoint.currentVersion, config: config, stepCount: stepCount, examplesSeen: examplesSeen,
      cumulativeBitsUp: cumulativeBitsUp, cumulativeBitsDown: cumulativeBitsDown,
      parameters: parameters.map(FloatArray.init), initialParameters: initialParameters.map(FloatArray.init), velocity: velocity.map(FloatArray.init),
      memories: try memories.map { $0.map(FloatArray.init) }, serverMemory: serverMemory.map(FloatArray.init),
      history: history, events: events)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    try AtomicFile.write(try encoder.encode(checkpoint), to: path)
  }

  /// Loads an experiment saved with ``save(to:)``; stepping it continues bit-identically.
  ///
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` for a missing or malformed file.
  public static func load(from path: String) throws -> Experiment {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw HSQError.fileFormat(path: path, position: nil, problem: "no such file; give the path of a file written by 'save'.")
    }
    return try load(data: data, path: path)
  }

  /// Loads the checkpoint `data`, read from `path` (named in errors); every field is validated first.
  static func load(data: Data, path: String) throws -> Experiment {
    let checkpoint: Checkpoint
    do {
      let decoder = JSONDecoder()
      decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
      let version = try decoder.decode(CheckpointVersion.self, from: data).version
      guard Checkpoint.versions.contains(version) else {
        throw HSQError.fileFormat(path: path, position: nil, problem: "checkpoint version \(version) is not one this hsq reads (\(Checkpoint.versions)); save it again with a matching hsq.")
      }
      decoder.userInfo[.recordKeyNames] = Checkpoint.recordKeyNames(version: version)
      checkpoint = try decoder.decode(Checkpoint.self, from: data)
    } catch let error as DecodingError {
      throw CheckpointProblem(error).error(path: path)
    } catch let error as HSQError {
      throw error
    } catch {
      throw HSQError.fileFormat(path: path, position: nil, problem: "not an hsq experiment checkpoint (\(clipped("\(error)", limit: 80))).")
    }
    let experiment: Experiment
    do {
      experiment = try Self.make(checkpoint.config)
      try checkpoint.validate(model: experiment.model, trainingExamples: experiment.dataset.train.count)
    } catch let problem as CheckpointProblem {
      throw problem.error(path: path)
    }
    experiment.parameters = checkpoint.parameters.map(\.values)
    experiment.initialParameters = checkpoint.initialParameters.map(\.values)
    experiment.velocity = checkpoint.velocity.map(\.values)
    try experiment.setMemories(checkpoint.memories.map { $0.map(\.values) })
    experiment.serverMemory = checkpoint.serverMemory.map(\.values)
    experiment.stepCount = checkpoint.stepCount
    experiment.examplesSeen = checkpoint.examplesSeen
    experiment.cumulativeBitsUp = checkpoint.cumulativeBitsUp
    experiment.cumulativeBitsDown = checkpoint.cumulativeBitsDown
    experiment.history = checkpoint.history
    experiment.events = checkpoint.events
    return experiment
  }

  /// The experiment a checkpoint's config describes, or the config field that is out of range or cannot be built.
  static func make(_ config: ExperimentConfig) throws -> Experiment {
    for field in ExperimentConfig.fields {
      do { try field.check(config) } catch { throw CheckpointProblem("config.\(field.codingKey)", "is not valid", error) }
    }
    do { _ = try DatasetCache.shared.load(config.dataset) } catch { throw CheckpointProblem("config.dataset", "cannot be loaded", error) }
    do { return try Experiment(config) } catch { throw CheckpointProblem("config", "cannot be built", error) }
  }
}
