import HSQCore

/// FedAvgM: the server keeps momentum over the averaged updates (Hsu, Qi, Brown 2019).
///
/// ```
/// v ← β·v + g
/// x ← x − η·v
/// ```
///
/// Under protocol `local`, g is the averaged model delta and η = 1 is FedAvg with server momentum, the
/// paper's setting; under protocol `gradient`, g is a gradient estimate and η a step size (set it like `lr`).
/// η follows the `lr-decay` schedule. The same arithmetic as `sgd` with `momentum` = β, with its own
/// learning rate instead of the `lr` setting.
///
/// **State:** `velocity` (v), starting at 0.
///
/// - Parameter lr: the server learning rate η (default 1: FedAvg's server step).
/// - Parameter momentum: β, 0 ≤ β < 1 (default 0.9, the paper's).
///
/// Reference: T.-M. H. Hsu, H. Qi, M. Brown, "Measuring the Effects of Non-Identical Data Distribution for
/// Federated Visual Classification", arXiv:1909.06335, 2019.
public struct FedAvgMOptimizer: ServerOptimizerComponent {
  public static let info = ComponentInfo(kind: .serverOptimizer, name: "fedavgm", parameters: [
    .double("lr", 0...1e6, default: 1, doc: "The server learning rate η (1: FedAvg's server step)."),
    .double("momentum", 0...0.999999, default: 0.9, doc: "The server momentum β, 0 ≤ β < 1."),
  ])

  public let lr: Double
  public let momentum: Double

  public init(_ parameters: ParameterValues) throws {
    self.init(lr: parameters.double("lr"), momentum: parameters.double("momentum"))
  }

  public init(lr: Double = 1, momentum: Double = 0.9) {
    self.lr = lr
    self.momentum = momentum
  }

  public var spec: String { "fedavgm:lr=\(formatNumber(lr)),momentum=\(formatNumber(momentum))" }
  public var stateSlots: [ServerStateSlot] { [ServerStateSlot("velocity")] }

  public func step(_ g: [Float], parameters x: inout [Float], state: inout [[Float]], context: ServerStepContext) {
    var sgd = context
    sgd.learningRate = lr * context.scheduleFactor
    sgd.momentum = momentum
    SGDServerOptimizer().step(g, parameters: &x, state: &state, context: sgd)
  }
}
