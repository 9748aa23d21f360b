import HSQCore

/// Why a run stopped early.
public enum ExperimentStop: Error, Equatable, Sendable, UserFacingError {
  /// NaN/Inf or a loss blow-up: the step was not applied.
  case diverged(String)

  public var description: String {
    switch self {
    case let .diverged(message): return message
    }
  }
}
