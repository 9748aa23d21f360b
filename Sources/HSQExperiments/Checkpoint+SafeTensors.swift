import Foundation
import HSQCore
import HSQModels

/// Checkpoints of version 3: a safetensors file (``SafeTensors``) that NumPy, PyTorch and JAX open.
///
/// ```
/// parameters.LAYER, initialParameters.LAYER, velocity.LAYER     F32, the layer's shape (e.g. parameters.fc1.weight)
/// serverMemory.LAYER                                            the downlink's error-feedback memory, when there is one
/// memories.W.LAYER                                              worker W's error-feedback memory, when it is not all zeros
/// serverState.SLOT.LAYER                                        the server optimizer's state (fedadam's m and v, …), when it has one
/// __metadata__: format = "hsq-checkpoint", version = "3",
///               checkpoint = the CheckpointState as JSON (config, counters, memoryWorkers, history, events)
/// ```
///
/// A worker's memory is stored only when it is not all zeros: a client that never took part has the zeros
/// every memory starts from, and loading gives it those again (one shared array), so the file, the time to
/// write and read it and the memory they take follow the clients that took part. The tensors are written
/// from the experiment's own arrays (nothing is copied) and read one at a time.
extension Checkpoint {
  /// The metadata's `format` value that marks an hsq checkpoint.
  static let formatName = "hsq-checkpoint"

  /// Writes the checkpoint to `path` (atomically, streamed), naming tensors after `layers`.
  func write(to path: String, layers: [LayerInfo]) throws {
    var tensors: [SafeTensors.Tensor] = []
    func add(_ field: String, _ arrays: [FloatArray]) {
      for (layer, array) in zip(layers, arrays) { tensors.append(.init(name: "\(field).\(layer.name)", shape: layer.shape, values: array.values)) }
    }
    add("parameters", parameters)
    add("initialParameters", initialParameters)
    add("velocity", velocity)
    add("serverMemory", serverMemory)
    for slot in serverState.keys.sorted() { add("serverState.\(slot)", serverState[slot]!) }
    var zeroArrays = Set<UnsafeRawPointer>()
    for (w, memory) in memories.enumerated() where !memory.allSatisfy({ Self.isZero($0.values, known: &zeroArrays) }) {
      add("memories.\(w)", memory)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    let metadata = ["format": Self.formatName, "version": String(state.version), "checkpoint": String(decoding: try encoder.encode(state), as: UTF8.self)]
    try SafeTensors.write(tensors, metadata: metadata, to: path)
  }

  /// Whether every value of `values` is +0.0; an array found so before (the same storage) is not scanned again.
  static func isZero(_ values: [Float], known: inout Set<UnsafeRawPointer>) -> Bool {
    values.withUnsafeBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return true }
      if known.contains(base) { return true }
      var bits: UInt32 = 0
      for v in buffer { bits |= v.bitPattern }
      if bits == 0 { known.insert(base) }
      return bits == 0
    }
  }

  /// The state in `file`'s metadata, after checking that the file is an hsq checkpoint of version 3.
  static func state(of file: SafeTensorsFile) throws -> CheckpointState {
    guard file.metadata["format"] == formatName, let text = file.metadata["checkpoint"] else {
      throw HSQError.fileFormat(path: file.path, position: nil, problem: "it is a safetensors file, but not an hsq checkpoint (its metadata has no 'format': '\(formatName)' and 'checkpoint'); give a file written by 'save'.")
    }
    let data = Data(text.utf8)
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    do {
      let version = try decoder.decode(CheckpointVersion.self, from: data).version
      guard version == currentVersion, file.metadata["version"] == String(version) else {
        throw HSQError.fileFormat(path: file.path, position: nil, problem: "checkpoint version \(version) is not one this hsq reads as safetensors (\(currentVersion)); save it again with a matching hsq.")
      }
      decoder.userInfo[.recordKeyNames] = recordKeyNames(version: version)
      return try decoder.decode(CheckpointState.self, from: data)
    } catch let error as DecodingError {
      throw CheckpointProblem(error).error(path: file.path)
    }
  }

  /// The checkpoint in `file` with `state`, its tensors read by the names `layers` give them.
  ///
  /// Structure is checked here (every tensor is one hsq writes, memories name a worker that has one);
  /// values, counts and counters by ``validate(model:trainingExamples:)``, as for every version.
  init(state: CheckpointState, file: SafeTensorsFile, layers: [LayerInfo]) throws {
    let workers = state.memoryWorkers ?? 0
    guard workers == 0 || workers == state.config.workers else {
      throw CheckpointProblem("memoryWorkers", "is \(workers); it is 0 or 'config.workers' (\(state.config.workers))")
    }
    let layerNames = Set(layers.map(\.name))
    var storedWorkers = Set<Int>()
    var serverSlots = Set<String>()
    for name in file.entries.keys {
      let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
      if parts.count == 2, ["parameters", "initialParameters", "velocity", "serverMemory"].contains(parts[0]), layerNames.contains(parts[1]) { continue }
      let memory = name.split(separator: ".", maxSplits: 2).map(String.init)
      if memory.count == 3, memory[0] == "serverState", layerNames.contains(memory[2]) {
        guard state.serverSteps != nil else {
          throw CheckpointProblem(clipped(name, limit: 60), "is a server optimizer's state, but the checkpoint has no 'serverSteps'")
        }
        serverSlots.insert(memory[1])
        continue
      }
      guard memory.count == 3, memory[0] == "memories", let w = Int(memory[1]), String(w) == memory[1], layerNames.contains(memory[2]) else {
        throw CheckpointProblem(clipped(name, limit: 60), "is not a tensor hsq writes for model '\(state.config.model)' (FIELD.LAYER or memories.WORKER.LAYER)")
      }
      guard (0..<workers).contains(w) else {
        throw CheckpointProblem(clipped(name, limit: 60), "is a memory of worker \(w), but the checkpoint holds memories of \(workers) worker\(workers == 1 ? "" : "s")")
      }
      storedWorkers.insert(w)
    }
    func tensors(_ field: String) throws -> [FloatArray] {
      try file.floats(layers.map { "\(field).\($0.name)" }.filter { file.entries[$0] != nil }).map(FloatArray.init)
    }
    self.state = state
    parameters = try tensors("parameters")
    initialParameters = try tensors("initialParameters")
    velocity = try tensors("velocity")
    serverMemory = try tensors("serverMemory")
    let zeros = layers.map { FloatArray([Float](repeating: 0, count: $0.count)) }
    var memories = [[FloatArray]](repeating: zeros, count: workers)
    for w in storedWorkers { memories[w] = try tensors("memories.\(w)") }
    self.memories = memories
    for slot in serverSlots { serverState[slot] = try tensors("serverState.\(slot)") }
  }

  /// Throws unless `path` names a file a checkpoint may be written to: any name but a `.json` one.
  static func requireWritableName(_ path: String) throws {
    guard isJSONName(path) else { return }
    throw HSQError.fileWrite(
      path: path,
      problem: "checkpoints are safetensors files now (JSON checkpoints of earlier versions still load); save to '\(safeTensorsName(for: path))'.")
  }

  static func isJSONName(_ path: String) -> Bool { (path as NSString).pathExtension.lowercased() == "json" }

  /// `path` with `.safetensors` for its extension.
  static func safeTensorsName(for path: String) -> String { (path as NSString).deletingPathExtension + ".safetensors" }
}
