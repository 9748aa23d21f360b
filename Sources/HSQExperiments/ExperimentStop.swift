/// Why a run stopped early.
public enum ExperimentStop: Error, Equatable, Sendable, CustomStringConvertible {
  /// NaN/Inf or a loss blow-up: the step was not applied.
  case diverged(String)

  public var description: String {
    switch self {
    case let .diverged(message): return message
    }
  }
}
