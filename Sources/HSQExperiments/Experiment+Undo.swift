import HSQCore

/// An experiment's state at the start of a step whose loss was sound: what a divergence rolls back to.
///
/// A step's loss is measured on the parameters the earlier updates produced, so a blow-up shows
/// after the updates that caused it, and the state just before the divergent step is usually on
/// the verge already. Keeping the last state whose loss was within ``Experiment/recoveryFactor``
/// of the first step's is what lets "lower 'lr', then continue" work. The arrays are shared with
/// the experiment until a step writes them (copy on write): keeping them costs about one copy of
/// the parameters, the velocity and the error-feedback memories.
struct StepUndo {
  let stepCount: Int
  let examplesSeen: Int
  let cumulativeBitsUp: Int
  let cumulativeBitsDown: Int
  let historyCount: Int
  let parameters: [[Float]]
  let velocity: [[Float]]
  let memories: [[[Float]]]
  let serverMemory: [[Float]]

  init(_ e: Experiment) {
    stepCount = e.stepCount
    examplesSeen = e.examplesSeen
    cumulativeBitsUp = e.cumulativeBitsUp
    cumulativeBitsDown = e.cumulativeBitsDown
    historyCount = e.history.count
    parameters = e.parameters
    velocity = e.velocity
    memories = e.memories
    serverMemory = e.serverMemory
  }

  /// Puts `e` back in this state (the config and the event log stay as they are).
  func restore(_ e: Experiment) {
    e.stepCount = stepCount
    e.examplesSeen = examplesSeen
    e.cumulativeBitsUp = cumulativeBitsUp
    e.cumulativeBitsDown = cumulativeBitsDown
    e.history.removeLast(e.history.count - historyCount)
    e.parameters = parameters
    e.velocity = velocity
    e.memories = memories
    e.serverMemory = serverMemory
  }

  /// Bytes of the arrays kept (an upper bound: arrays the experiment still shares count too).
  var bytes: Int {
    4 * (parameters.floatCount + velocity.floatCount + serverMemory.floatCount + memories.reduce(0) { $0 + $1.floatCount })
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
  func divergence(at t: Int, _ cause: String) -> ExperimentStop {
    let advice = "lower 'lr' or change the compressor, then continue."
    guard let undo else {
      let origin = t == 0 ? "the initial parameters" : "no earlier state is kept after a load"
      return .diverged("Diverged at step \(t + 1): \(cause). The state stays at step \(t), whose parameters give this loss (\(origin)); 'reset', load an earlier checkpoint, or \(advice)")
    }
    let kept = undo.stepCount
    guard kept < t else {
      return .diverged("Diverged at step \(t + 1): \(cause). The state stays at step \(t); \(advice)")
    }
    undo.restore(self)
    lastInputs = []
    events.append(ExperimentEvent(step: kept, text: "diverged at step \(t + 1): steps \(kept + 1)–\(t) undone"))
    return .diverged(
      "Diverged at step \(t + 1): \(cause). The updates since step \(kept) led there and are undone: the state is back at step \(kept), the last whose loss was within \(formatNumber((Self.recoveryFactor * 10).rounded() / 10))× the first step's; \(advice)")
  }
}
