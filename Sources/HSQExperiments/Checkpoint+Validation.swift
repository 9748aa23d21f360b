import Foundation
import HSQCore
import HSQModels

/// What is wrong with a checkpoint: the field as it is spelled in the file, and the problem.
struct CheckpointProblem: Error {
  let field: String
  /// What follows the field's name in the message, fix included.
  let detail: String

  /// `'field' problem; save the experiment again, or restore the file.`
  init(_ field: String, _ problem: String) {
    self.field = field
    detail = " \(problem); save the experiment again, or restore the file."
  }

  /// `'field' because: error` — for an error that already says what to do.
  init(_ field: String, _ lead: String, _ error: any Error) {
    self.field = field
    if case let .invalidParameter(_, _, problem) = error as? HSQError {
      detail = ": \(problem)"
    } else {
      detail = " \(lead): \(error)"
    }
  }

  /// The one line shown for `path`.
  func error(path: String) -> HSQError {
    .fileFormat(path: path, position: nil, problem: "'\(field)'\(detail)")
  }

  /// A decoding error as the field it is about: `'history[3].bitsUp' is text, not a whole number`.
  init(_ error: DecodingError) {
    func path(_ keys: [any CodingKey]) -> String {
      keys.reduce("") { text, key in key.intValue.map { text + "[\($0)]" } ?? (text.isEmpty ? key.stringValue : text + "." + key.stringValue) }
    }
    switch error {
    case let .typeMismatch(type, context):
      self.init(path(context.codingPath), "is not \(Self.describe(type))")
    case let .valueNotFound(type, context):
      self.init(path(context.codingPath), "is missing; it should be \(Self.describe(type))")
    case let .keyNotFound(key, context):
      self.init(path(context.codingPath + [key]), "is missing")
    case let .dataCorrupted(context) where context.codingPath.isEmpty:
      self.init("(file)", "is not JSON written by 'save' (\(clipped(context.debugDescription, limit: 80)))")
    case let .dataCorrupted(context):
      self.init(path(context.codingPath), "is malformed (\(clipped(context.debugDescription, limit: 80)))")
    @unknown default:
      self.init("(file)", "cannot be decoded")
    }
  }

  static func describe(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type, is UInt64.Type: return "a whole number"
    case is Double.Type: return "a number"
    case is Bool.Type: return "true or false"
    case is String.Type, is FloatArray.Type: return "text"
    default: return String(describing: type).hasPrefix("Array") ? "a list" : "an object"
    }
  }
}

extension Checkpoint {
  /// Throws the first field that does not fit the config, the model and the other fields, so that
  /// nothing a loaded experiment holds can make a later step index, allocate or count out of range.
  ///
  /// The config is held to the `experiment` command's ranges (``ExperimentConfig/validate()``);
  /// every tensor to its layer's length and finite values; counters to ≥ 0 and to the history,
  /// whose records are checked against each other with overflow-checked sums.
  func validate(model: any Model, trainingExamples: Int) throws {
    let layers = model.layers
    try Self.check(parameters, "parameters", layers)
    try Self.check(initialParameters, "initialParameters", layers)
    try Self.check(velocity, "velocity", layers)
    guard memories.isEmpty || memories.count == state.config.workers else {
      throw CheckpointProblem("memories", "holds \(memories.count) worker\(memories.count == 1 ? "" : "s"), but 'config.workers' is \(state.config.workers)")
    }
    // Memories a file does not store share one array of zeros: checked once.
    var checked = Set<UnsafeRawPointer>()
    for (w, memory) in memories.enumerated() { try Self.check(memory, "memories[\(w)]", layers, skipping: &checked) }
    if !serverMemory.isEmpty { try Self.check(serverMemory, "serverMemory", layers) }
    for slot in serverState.keys.sorted() { try Self.check(serverState[slot]!, "serverState.\(slot)", layers) }
    for (field, value) in [("stepCount", state.stepCount), ("examplesSeen", state.examplesSeen), ("cumulativeBitsUp", state.cumulativeBitsUp), ("cumulativeBitsDown", state.cumulativeBitsDown)] {
      guard value >= 0 else { throw CheckpointProblem(field, "is \(value); a count is at least 0") }
    }
    guard state.history.count == state.stepCount else {
      throw CheckpointProblem("stepCount", "is \(state.stepCount), but 'history' holds \(state.history.count) step\(state.history.count == 1 ? "" : "s")")
    }
    var bitsUp = 0, bitsDown = 0
    for (i, record) in state.history.enumerated() {
      try Self.check(record, "history[\(i)]", names: Self.recordKeyNames(version: state.version), step: i + 1, workers: state.config.workers, layers: layers, bitsUp: &bitsUp, bitsDown: &bitsDown)
    }
    guard state.cumulativeBitsUp == bitsUp else { throw CheckpointProblem("cumulativeBitsUp", "is \(state.cumulativeBitsUp), but the history sums to \(bitsUp)") }
    guard state.cumulativeBitsDown == bitsDown else { throw CheckpointProblem("cumulativeBitsDown", "is \(state.cumulativeBitsDown), but the history sums to \(bitsDown)") }
    let epoch = state.history.last?.epoch ?? 0
    guard Double(state.examplesSeen) / Double(max(1, trainingExamples)) == epoch else {
      throw CheckpointProblem("examplesSeen", "is \(state.examplesSeen), but the last step's epoch \(formatNumber(epoch)) of \(trainingExamples) training examples says otherwise")
    }
    // A rollback after a divergence keeps the changes logged at the steps it undid: any step ≥ 0.
    for (i, event) in state.events.enumerated() where event.step < 0 {
      throw CheckpointProblem("events[\(i)].step", "is \(event.step); a step is at least 0")
    }
  }

  /// One tensor per layer, each with the layer's count of finite values.
  static func check(_ tensors: [FloatArray], _ field: String, _ layers: [LayerInfo]) throws {
    var checked = Set<UnsafeRawPointer>()
    try check(tensors, field, layers, skipping: &checked)
  }

  /// The same, but an array whose storage is in `checked` has passed already; the storage of those that pass is added.
  static func check(_ tensors: [FloatArray], _ field: String, _ layers: [LayerInfo], skipping checked: inout Set<UnsafeRawPointer>) throws {
    guard tensors.count == layers.count else {
      throw CheckpointProblem(field, "holds \(tensors.count) layer\(tensors.count == 1 ? "" : "s"); the model has \(layers.count) layer\(layers.count == 1 ? "" : "s")")
    }
    for (l, (tensor, layer)) in zip(tensors, layers).enumerated() {
      let storage = tensor.values.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) }
      if let storage, checked.contains(storage), tensor.values.count == layer.count { continue }
      guard tensor.values.count == layer.count else {
        throw CheckpointProblem("\(field)[\(l)]", "has \(tensor.values.count) value\(tensor.values.count == 1 ? "" : "s"); layer '\(layer.name)' needs \(layer.count)")
      }
      if let i = tensor.values.firstIndex(where: { !$0.isFinite }) {
        throw CheckpointProblem("\(field)[\(l)]", "has \(tensor.values[i]) at index \(i); every value must be finite")
      }
      if let storage { checked.insert(storage) }
    }
  }

  /// A step's record: its number, its participants, its layers, and bits that add up without overflow.
  static func check(
    _ record: StepRecord, _ recordPath: String, names: RecordKeyNames, step: Int, workers: Int, layers: [LayerInfo], bitsUp: inout Int, bitsDown: inout Int
  ) throws {
    /// A field of this record (`history[3].bits_up`), spelled as the file spells it.
    func field(_ key: StepRecord.CodingKeys) -> String { "\(recordPath).\(names.spelling(key))" }
    guard record.step == step else { throw CheckpointProblem(field(.step), "is \(record.step), not \(step)") }
    guard (1...workers).contains(record.participants) else {
      throw CheckpointProblem(field(.participants), "is \(record.participants), outside 1...\(workers) workers")
    }
    guard record.layers.count == layers.count else {
      throw CheckpointProblem(field(.layers), "holds \(record.layers.count) layers; the model has \(layers.count)")
    }
    var layerBits = 0
    for (l, (entry, layer)) in zip(record.layers, layers).enumerated() {
      guard entry.name == layer.name, entry.count == layer.count else {
        throw CheckpointProblem("\(field(.layers))[\(l)]", "is not layer '\(layer.name)' of \(layer.count) values")
      }
      guard entry.bits >= 0 else { throw CheckpointProblem("\(field(.layers))[\(l)].\(names.spelling(LayerRecord.CodingKeys.bits))", "is \(entry.bits); a count is at least 0") }
      layerBits = try sum(layerBits, entry.bits, field(.bitsUp))
    }
    guard record.bitsUp == layerBits else {
      throw CheckpointProblem(field(.bitsUp), "is \(record.bitsUp), but its layers' bits sum to \(layerBits)")
    }
    guard record.bitsDown >= 0 else { throw CheckpointProblem(field(.bitsDown), "is \(record.bitsDown); a count is at least 0") }
    bitsUp = try sum(bitsUp, record.bitsUp, field(.cumulativeBitsUp))
    bitsDown = try sum(bitsDown, record.bitsDown, field(.cumulativeBitsDown))
    guard record.cumulativeBitsUp == bitsUp else {
      throw CheckpointProblem(field(.cumulativeBitsUp), "is \(record.cumulativeBitsUp), but the steps so far sum to \(bitsUp)")
    }
    guard record.cumulativeBitsDown == bitsDown else {
      throw CheckpointProblem(field(.cumulativeBitsDown), "is \(record.cumulativeBitsDown), but the steps so far sum to \(bitsDown)")
    }
  }

  static func sum(_ a: Int, _ b: Int, _ field: String) throws -> Int {
    do { return try Experiment.checkedSum(a, b, field) } catch { throw CheckpointProblem(field, "adds up past \(Int.max)") }
  }
}

extension Checkpoint {
  /// The server optimizer's state the checkpoint holds, its buffers checked against the `slots` the config's
  /// optimizer (spelled `optimizer`) keeps; `nil` when it holds none.
  func serverOptimizerState(slots: [ServerStateSlot], optimizer: String, layers: Int) throws -> ServerOptimizerState? {
    guard let steps = state.serverSteps else { return nil }
    guard steps >= 0, steps <= state.stepCount else {
      throw CheckpointProblem("serverSteps", "is \(steps); it counts steps of the server optimizer, 0...\(state.stepCount)")
    }
    let names = slots.map(\.name)
    guard Set(serverState.keys) == Set(names) else {
      let held = serverState.keys.sorted().joined(separator: ", ")
      throw CheckpointProblem("serverState", "holds the buffers [\(held)], but '\(optimizer)' keeps [\(names.joined(separator: ", "))]")
    }
    let buffers = (0..<layers).map { l in names.map { serverState[$0]![l].values } }
    return ServerOptimizerState(slots: slots, buffers: buffers, steps: steps)
  }
}

extension ConfigField {
  /// The field's key in a checkpoint's `config` (the stored property's name).
  var codingKey: String {
    switch name {
    case "protocol": return "protocolName"
    case "ef": return "errorFeedback"
    default:
      let words = name.split(separator: "-")
      return String(words[0]) + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
  }
}
