import Foundation
import HSQCore

/// Checkpoints of versions 1 and 2: one JSON object, the ``CheckpointState``'s fields beside the tensors as
/// base64 (every worker's memory included). hsq reads them; it writes version 3 (``Checkpoint+SafeTensors``).
extension Checkpoint: Codable {
  /// The versions a JSON checkpoint may have.
  static let jsonVersions = 1...2

  enum TensorKeys: String, CodingKey {
    case parameters, initialParameters, velocity, memories, serverMemory
  }

  init(from decoder: any Decoder) throws {
    state = try CheckpointState(from: decoder)
    state.memoryWorkers = nil
    let tensors = try decoder.container(keyedBy: TensorKeys.self)
    parameters = try tensors.decode([FloatArray].self, forKey: .parameters)
    initialParameters = try tensors.decode([FloatArray].self, forKey: .initialParameters)
    velocity = try tensors.decode([FloatArray].self, forKey: .velocity)
    memories = try tensors.decode([[FloatArray]].self, forKey: .memories)
    serverMemory = try tensors.decode([FloatArray].self, forKey: .serverMemory)
  }

  /// The JSON layout of version 2 (with `state.version` as set), for tests of the files earlier versions wrote.
  func encode(to encoder: any Encoder) throws {
    var state = self.state
    state.memoryWorkers = nil
    try state.encode(to: encoder)
    var tensors = encoder.container(keyedBy: TensorKeys.self)
    try tensors.encode(parameters, forKey: .parameters)
    try tensors.encode(initialParameters, forKey: .initialParameters)
    try tensors.encode(velocity, forKey: .velocity)
    try tensors.encode(memories, forKey: .memories)
    try tensors.encode(serverMemory, forKey: .serverMemory)
  }

  /// Whether the file at `path` is a JSON checkpoint: it opens with `{` (after any white space), and its
  /// bytes 4–7 are not the zeros a safetensors header's length (under 4 GB) has there.
  ///
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` unless `path` is a readable regular file.
  static func isJSON(_ path: String) throws -> Bool {
    try FileBytes.requireRegularFile(path, fix: "give the path of a file written by 'save'")
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let head = [UInt8]((try? handle.read(upToCount: 64)) ?? Data())
    guard let first = head.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }), first == UInt8(ascii: "{") else { return false }
    return head.count < 8 || head[4..<8].contains { $0 != 0 }
  }
}

extension Checkpoint {
  /// `experiment`'s checkpoint as the JSON of version 2 that hsq wrote before version 3, for tests of the
  /// files it left and for measuring against; hsq's commands never write it.
  static func version2JSON(_ experiment: Experiment) throws -> Data {
    var checkpoint = try Checkpoint(experiment)
    checkpoint.state.version = 2
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try encoder.encode(checkpoint)
  }
}

extension Experiment {
  /// Writes the checkpoint as `save` did before safetensors (JSON version 2, every memory in base64), for
  /// `hsq-bench checkpoint --json` to measure the change against.
  @_spi(Benchmarks) public func saveVersion2JSON(to path: String) throws {
    try AtomicFile.write(try Checkpoint.version2JSON(self), to: path)
  }

  /// Loads the JSON checkpoint `data`, read from `path` (named in errors); every field is validated first.
  static func load(data: Data, path: String) throws -> Experiment {
    var checkpoint: Checkpoint
    do {
      let decoder = JSONDecoder()
      decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
      let version = try decoder.decode(CheckpointVersion.self, from: data).version
      guard Checkpoint.jsonVersions.contains(version) else {
        throw HSQError.fileFormat(path: path, position: nil, problem: "checkpoint version \(version) is not one this hsq reads (\(Checkpoint.jsonVersions)); save it again with a matching hsq.")
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
    // An autosave file named .json then is written as safetensors now, beside it.
    if let file = checkpoint.config.autosaveFile, Checkpoint.isJSONName(file) {
      checkpoint.state.config.autosaveFile = Checkpoint.safeTensorsName(for: file)
    }
    do {
      return try make(checkpoint.config).restore(checkpoint)
    } catch let problem as CheckpointProblem {
      throw problem.error(path: path)
    }
  }
}
