/// When ``Experiment/run(until:cancellation:onStep:)`` stops: the first condition met wins.
public struct StopCondition: Sendable, Hashable, Codable {
  /// Run this many more steps.
  public var steps: Int?
  /// Stop once this many epochs have been processed in total.
  public var epochs: Double?
  /// Stop once the training loss is at or below this.
  public var loss: Double?
  /// Stop once the test accuracy (evaluated every `eval-every` steps, or each step when unset) is at or above this.
  public var accuracy: Double?
  /// Stop once the cumulative uplink bits reach this budget.
  public var bitsBudget: Int?
  /// Stop once ‖x − x*‖² is at or below this (models with a closed-form optimum, such as least-squares).
  public var distance: Double?

  public init(steps: Int? = nil, epochs: Double? = nil, loss: Double? = nil, accuracy: Double? = nil, bitsBudget: Int? = nil, distance: Double? = nil) {
    self.steps = steps
    self.epochs = epochs
    self.loss = loss
    self.accuracy = accuracy
    self.bitsBudget = bitsBudget
    self.distance = distance
  }

  /// True when no condition bounds the run (it would never stop by itself).
  public var isUnbounded: Bool {
    steps == nil && epochs == nil && loss == nil && accuracy == nil && bitsBudget == nil && distance == nil
  }
}

/// How a run ended.
public enum StopReason: Sendable, Hashable, Codable, CustomStringConvertible {
  case steps
  case epochs
  case loss
  case accuracy
  case bitsBudget
  case distance
  /// Interrupted between steps (Ctrl-C); the state is consistent.
  case interrupted
  /// NaN/Inf or a loss blow-up; the diverging step was not applied.
  case diverged(String)
  /// A step failed with an error; the failing step was not applied.
  case failed(String)

  public var description: String {
    switch self {
    case .steps: return "step count reached"
    case .epochs: return "epoch count reached"
    case .loss: return "target loss reached"
    case .accuracy: return "target accuracy reached"
    case .bitsBudget: return "bits budget reached"
    case .distance: return "target distance reached"
    case .interrupted: return "interrupted between steps"
    case let .diverged(message): return message
    case let .failed(message): return message
    }
  }
}

/// The records a run produced and why it stopped.
public struct RunOutcome: Sendable {
  public var records: [StepRecord]
  public var reason: StopReason
}
