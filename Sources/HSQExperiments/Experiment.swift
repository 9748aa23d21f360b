import Foundation
import HSQCompressors
import HSQCore
import HSQDatasets
import HSQModels

/// A federated SGD experiment, advanced only by ``step()`` and ``run(until:cancellation:onStep:)``.
///
/// Like a manual clock, nothing happens between calls: the REPL, scripts,
/// notebooks and tests drive the same object and can inspect it after every
/// step. The same config gives bit-identical records whatever the thread
/// count, and a saved experiment resumes to the same records.
///
/// ```
/// let experiment = try Experiment(config)
/// try experiment.step()
/// let outcome = experiment.run(until: StopCondition(steps: 100))
/// ```
public final class Experiment {
  /// The config in force; change it with ``set(_:to:)``.
  public internal(set) var config: ExperimentConfig
  /// Steps completed.
  public internal(set) var stepCount = 0
  /// Every step's record, in order.
  public internal(set) var history: [StepRecord] = []
  /// Changes made between steps.
  public internal(set) var events: [ExperimentEvent] = []

  /// The model's parameters, one array per layer.
  public internal(set) var parameters: [[Float]]
  var velocity: [[Float]]
  /// x₀, kept for the convergence bounds.
  public internal(set) var initialParameters: [[Float]]
  /// Whether the workers hold error-feedback memories (after an error-feedback round, or a load that had them).
  var memoriesExist = false
  /// The server's error-feedback memory for two-phase compression.
  var serverMemory: [[Float]]
  var cumulativeBitsUp = 0
  var cumulativeBitsDown = 0
  var examplesSeen = 0
  /// When the step running started (uptime nanoseconds), for its wall time.
  var stepStarted: UInt64 = 0

  var pipeline: Pipeline
  /// The aggregator and server optimizer the config names (server side only: workers never see them).
  var strategy: ServerStrategy
  /// The server optimizer's state (Adam's m and v, …); `nil` under `sgd` (its state is ``velocity``) and before a step.
  var serverState: ServerOptimizerState?
  /// Where the workers run; they hold their shards, memories and workspaces.
  public internal(set) var backend: any WorkerBackend
  /// The server's scratch memory for evaluations.
  let serverWorkspace = Workspace()
  /// The state before the last step, while a divergence found by the next step may still undo it.
  var undo: StepUndo?
  /// The closed-form optimum once solved (`.some(nil)`: the model has none); `nil` until then.
  private var solvedOptimum: Optimum??

  /// The closed-form optimum of convex models (`nil` without one), solved on first use (once per dataset and
  /// model, ``OptimumCache``).
  ///
  /// - Throws: why it could not be solved (its matrices over the memory budget); the next use tries again.
  func closedFormOptimum() throws -> Optimum? {
    if let solvedOptimum { return solvedOptimum }
    let optimum = try OptimumCache.shared.optimum(pipeline, dataset: config.dataset)
    solvedOptimum = .some(optimum)
    return optimum
  }

  /// Builds the components the config names and initializes the parameters from the seed.
  ///
  /// - Parameter backend: where the workers run (unless given: the config's `backend`, threads by default).
  /// - Throws: the first component that cannot be built, with its own message.
  public init(_ config: ExperimentConfig, backend: (any WorkerBackend)? = nil) throws {
    try Self.validate(config)
    let backend = try backend ?? WorkerBackends.make(config.backend)
    self.config = config
    pipeline = try Pipeline(config)
    strategy = try ServerStrategy(config)
    var rng = RandomStream.derived(from: config.seed, purpose: "model-init")
    parameters = pipeline.model.initialParameters(rng: &rng)
    initialParameters = parameters
    velocity = pipeline.model.zeroParameters()
    serverMemory = []
    self.backend = backend
    try backend.configure(WorkerEnvironment(pipeline: pipeline, config: config))
  }

  static func validate(_ config: ExperimentConfig) throws {
    try config.validate()
  }

  public var model: any Model { pipeline.model }
  public var dataset: Dataset { pipeline.dataset }
  public var uplink: any Compressor { pipeline.uplink }
  public var downlink: (any Compressor)? { pipeline.downlink }
  /// Each worker's training-example indices (fixed for the run).
  public var shards: [[Int]] { pipeline.shards }
  /// Training examples processed divided by the training-set size.
  public var epoch: Double { Double(examplesSeen) / Double(max(1, pipeline.dataset.train.count)) }

  /// Changes one setting between steps and records the change.
  ///
  /// Settings that define the problem (model, dataset, partition, workers,
  /// seed, protocol) can change only before the first step; everything else —
  /// compressor, learning rate, error feedback, … — at any time.
  ///
  /// - Throws: an unknown setting (with a suggestion), a bad value, or a change not allowed now.
  public func set(_ name: String, to text: String) throws {
    let field = try ExperimentConfig.field(name)
    var next = config
    try field.assign(text, in: &next)
    let fixed = ["model", "dataset", "partition", "workers", "seed", "protocol"]
    if stepCount > 0, fixed.contains(name), field.value(in: next) != field.value(in: config) {
      throw HSQError.invalidState("'\(name)' defines the problem and cannot change after step 0 (now at step \(stepCount)); create a new experiment instead.")
    }
    try Self.validate(next)
    let moved = next.backend != config.backend ? try WorkerBackends.make(next.backend) : nil
    let rebuilt = try Pipeline(next, reuse: pipeline, reuseOld: config)
    let strategy = try ServerStrategy(next)
    try backend.configure(WorkerEnvironment(pipeline: rebuilt, config: next))
    let repartitioned = !next.posesSameProblem(as: config)
    let old = field.value(in: config)
    let previousOptimizer = config.serverOptimizerName
    config = next
    pipeline = rebuilt
    self.strategy = strategy
    // Another server optimizer starts from its own initial state; new hyper-parameters keep the state.
    if next.serverOptimizerName != previousOptimizer { serverState = nil }
    if stepCount == 0, ["model", "dataset", "seed"].contains(name) {
      var rng = RandomStream.derived(from: config.seed, purpose: "model-init")
      parameters = pipeline.model.initialParameters(rng: &rng)
      initialParameters = parameters
      velocity = pipeline.model.zeroParameters()
      serverState = nil
      solvedOptimum = nil
      undo = nil
    }
    if repartitioned {
      // The backend built new workers: their memories start over.
      memoriesExist = false
      undo = nil
    }
    // The workers (and their memories) move to the new backend.
    if let moved { try use(moved) }
    events.append(ExperimentEvent(step: stepCount, text: "\(name): \(old) → \(field.value(in: config))"))
  }

  /// The learning rate at the current epoch (step decay): lr · lr-decay^⌊examples seen / examples per period⌋.
  ///
  /// The count is taken in examples, not as epoch / lr-decay-every: 0.4 epochs of 800 examples is 320
  /// examples exactly, while 1.2 / 0.4 is 2.9999999999999996 and would decay one step late.
  public var currentLearningRate: Double {
    guard config.lrDecayEvery > 0, config.lrDecay < 1 else { return config.lr }
    let period = config.lrDecayEvery * Double(max(1, pipeline.dataset.train.count))
    return config.lr * pow(config.lrDecay, (Double(examplesSeen) / period).rounded(.down))
  }

  /// The error-feedback scale now: a constant, or the authors' warm-up 2/(1 + e^(−epoch)) − 1.
  public var currentEFScale: Float {
    config.efScale.value(atEpoch: epoch)
  }

  /// Loss and accuracy on the test set (or its first `test-subset` examples).
  public func evaluate() throws -> Evaluation {
    try pipeline.model.evaluate(parameters: parameters, examples: pipeline.test, workspace: serverWorkspace)
  }

  /// Loss and accuracy on the whole training set.
  public func evaluateTraining() throws -> Evaluation {
    try pipeline.model.evaluate(parameters: parameters, examples: pipeline.dataset.train, workspace: serverWorkspace)
  }

  var threadCount: Int {
    config.threads > 0 ? config.threads : ProcessInfo.processInfo.activeProcessorCount
  }
}
