import HSQCore

/// One buffer of a server optimizer's state, shaped like the model (Adam's m and v, SGD's velocity).
public struct ServerStateSlot: Sendable, Hashable {
  /// The buffer's name in checkpoints (`serverState.NAME.LAYER`) and step records (`NAME_norm`):
  /// lower-case letters, digits and `-`.
  public let name: String
  /// Every element's value before the first step (0 for momentum, τ² for the paper's v₋₁).
  public let initial: Float

  public init(_ name: String, initial: Float = 0) {
    precondition(!name.isEmpty && name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "state slot '\(name)': use lower-case letters, digits and '-'")
    self.name = name
    self.initial = initial
  }
}

/// What the experiment tells a server optimizer about the step it is taking.
public struct ServerStepContext: Sendable, Hashable {
  /// The experiment's learning rate now (`lr` with its `lr-decay` schedule); 1 under protocol `local`, where
  /// `lr` is the workers' and the server takes the averaged delta whole. The `sgd` optimizer's step size.
  public var learningRate: Double
  /// The `lr-decay` schedule's factor now (lr-decay^⌊epochs / lr-decay-every⌋): optimizers with their own
  /// learning rate multiply it by this, so the schedule applies to every optimizer.
  public var scheduleFactor: Double
  /// The `momentum` setting (the `sgd` optimizer's; other optimizers have their own).
  public var momentum: Double
  /// Steps this optimizer's state has taken before this one (0 at the first).
  public var completedSteps: Int

  public init(learningRate: Double, scheduleFactor: Double, momentum: Double, completedSteps: Int) {
    self.learningRate = learningRate
    self.scheduleFactor = scheduleFactor
    self.momentum = momentum
    self.completedSteps = completedSteps
  }
}

/// How the server moves the model with the aggregated update: the `server-optimizer` setting.
///
/// The update `g` is the aggregate of the workers' messages (plus λx for `weight-decay` under protocol
/// `gradient`): a gradient estimate, or under protocol `local` the averaged model delta x − x_local
/// (the negative of Reddi et al.'s Δ). Either way the optimizer moves x against it.
///
/// The contract: ``step(_:parameters:state:context:)`` changes only `parameters` and `state`, element by
/// element or layer by layer, without randomness; the same inputs give the same bits. Its state is what
/// ``stateSlots`` declares, saved in checkpoints and restored when a divergence is rolled back.
public protocol ServerOptimizer: Sendable {
  /// The canonical spelling, e.g. `fedadam:lr=0.01,beta1=0.9,beta2=0.99,tau=0.001`.
  var spec: String { get }
  /// The state buffers, each shaped like the model.
  var stateSlots: [ServerStateSlot] { get }
  /// One server step on one layer: `state[k]` is this layer's buffer of slot `k`.
  func step(_ g: [Float], parameters x: inout [Float], state: inout [[Float]], context: ServerStepContext)
}

/// A server optimizer that registers itself by name: its declaration plus a constructor from parameters.
public protocol ServerOptimizerComponent: ServerOptimizer, Component {
  init(_ parameters: ParameterValues) throws
}
