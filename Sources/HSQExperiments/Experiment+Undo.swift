import HSQCore

/// An experiment's state at the start of a step whose loss was sound: what a divergence rolls back to.
///
/// A step's loss is measured on the parameters the earlier updates produced, so a blow-up shows
/// after the updates that caused it, and the state just before the divergent step is usually on
/// the verge already. Keeping the last state whose loss was within ``Experiment/recoveryFactor``
/// of the first step's is what lets "lower 'lr', then continue" work. The arrays are shared with
/// the experiment until a step writes them (copy on write): keeping them costs about one copy of
/// the parameters, the velocity and the error-feedback memories. The workers keep their own memories'
/// undo point (``WorkerBackend/commit(keepingUndoPoint:)``); restoring rolls them back too.
struct StepUndo {
  let stepCount: Int
  let examplesSeen: Int
  let cumulativeBitsUp: Int
  let cumulativeBitsDown: Int
  let historyCount: Int
  let parameters: [[Float]]
  let velocity: [[Float]]
  /// The server optimizer's state (Adam's m and v, …), when it has one besides the velocity.
  let serverState: ServerOptimizerState?
  /// Whether the workers held memories, and how many floats they were.
  let memoriesExisted: Bool
  let memoryFloats: Int
  let serverMemory: [[Float]]

  init(_ e: Experiment) {
    stepCount = e.stepCount
    examplesSeen = e.examplesSeen
    cumulativeBitsUp = e.cumulativeBitsUp
    cumulativeBitsDown = e.cumulativeBitsDown
    historyCount = e.history.count
    parameters = e.parameters
    velocity = e.velocity
    serverState = e.serverState
    memoriesExisted = e.memoriesExist
    memoryFloats = e.workerMemoryFloats
    serverMemory = e.serverMemory
  }

  /// Puts `e` back in this state (the config and the event log stay as they are); with
  /// `rollingBackWorkers`, the workers' memories go back to their undo point too.
  func restore(_ e: Experiment, rollingBackWorkers: Bool) throws {
    e.stepCount = stepCount
    e.examplesSeen = examplesSeen
    e.cumulativeBitsUp = cumulativeBitsUp
    e.cumulativeBitsDown = cumulativeBitsDown
    e.history.removeLast(e.history.count - historyCount)
    e.parameters = parameters
    e.velocity = velocity
    e.serverState = serverState
    e.memoriesExist = memoriesExisted
    e.serverMemory = serverMemory
    if rollingBackWorkers { try e.backend.rollBack() }
  }

  /// Bytes of the arrays kept (an upper bound: arrays the experiment still shares count too).
  var bytes: Int {
    4 * (parameters.floatCount + velocity.floatCount + (serverState?.floatCount ?? 0) + serverMemory.floatCount + memoryFloats)
  }
}

extension [[Float]] {
  var floatCount: Int { reduce(0) { $0 + $1.count } }
}

extension Experiment {
  /// A state whose loss is within this many times the first step's loss is kept to roll back to
  /// (√``divergenceFactor``: halfway, on a log scale, between the first loss and a divergence).
  public static var recoveryFactor: Double { divergenceFactor.squareRoot() }

  /// The stop for a divergence found in step `t + 1`: rolls back to the last sound state when one
  /// is kept (logging the steps undone), and says at which step the state is and what to do.
  func divergence(at t: Int, _ cause: String) throws -> ExperimentStop {
    let advice = "lower 'lr' or change the compressor, then continue."
    guard let undo else {
      let origin = t == 0 ? "the initial parameters" : "no earlier state is kept after a load"
      return .diverged("Diverged at step \(t + 1): \(cause). The state stays at step \(t), whose parameters give this loss (\(origin)); 'reset', load an earlier checkpoint, or \(advice)")
    }
    let kept = undo.stepCount
    guard kept < t else {
      return .diverged("Diverged at step \(t + 1): \(cause). The state stays at step \(t); \(advice)")
    }
    try undo.restore(self, rollingBackWorkers: true)
    events.append(ExperimentEvent(step: kept, text: "diverged at step \(t + 1): steps \(kept + 1)–\(t) undone"))
    return .diverged(
      "Diverged at step \(t + 1): \(cause). The updates since step \(kept) led there and are undone: the state is back at step \(kept), the last whose loss was within \(formatNumber((Self.recoveryFactor * 10).rounded() / 10))× the first step's; \(advice)")
  }
}

extension Experiment {
  /// The floats the workers' error-feedback memories hold: one copy of the parameters per worker once they exist.
  var workerMemoryFloats: Int {
    memoriesExist ? config.workers * pipeline.model.layers.reduce(0) { $0 + $1.count } : 0
  }

  /// Error-feedback memory per worker, gathered from the backend: `[]` before any, else one per worker (zeros where none).
  var memories: [[[Float]]] {
    get throws {
      let gathered = try backend.memories()
      guard gathered.contains(where: { $0.layers != nil }) else { return [] }
      let zeros = pipeline.model.zeroParameters()
      return gathered.map { $0.layers ?? zeros }
    }
  }

  /// Scatters one memory per worker to the backend (`[]`: none).
  func setMemories(_ memories: [[[Float]]]) throws {
    try backend.setMemories(memories.enumerated().map { WorkerMemory(worker: $0.offset, layers: $0.element) })
    memoriesExist = !memories.isEmpty
  }

  /// The compressor inputs of the last step, per participating worker and layer (for Monte Carlo checks).
  var lastInputs: [[[Float]]] {
    get throws { try backend.lastInputs() }
  }

  /// Moves the workers to `backend`: it is configured, and the memories go over (gathered, then scattered).
  /// The state kept to undo a divergence is dropped (the new workers have no undo point).
  public func use(_ backend: any WorkerBackend) throws {
    let memories = try self.memories
    try backend.configure(WorkerEnvironment(pipeline: pipeline, config: config))
    self.backend = backend
    try setMemories(memories)
    undo = nil
  }
}
