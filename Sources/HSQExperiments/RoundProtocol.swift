import HSQCore

/// What a worker sends each round: the experiment's `protocol` setting.
///
/// The raw values are the spellings `set protocol …` takes and checkpoints store.
public enum RoundProtocol: String, NamedChoice {
  /// Every worker sends its minibatch gradient (the HSQ paper).
  case gradient
  /// Every worker takes E local SGD steps and sends its model delta (FedAvg).
  case local
}

extension ExperimentConfig {
  /// Local SGD steps a worker takes in one round: E for the `local` protocol, 1 for `gradient`.
  public var stepsPerRound: Int { protocolName == .local ? localSteps : 1 }
}
