import Foundation
import HSQ
import HSQTestSupport
import Testing

/// Models and experiments check their estimated memory against the budget before allocating.
///
/// The reproductions of issue 11 run under a small budget bound to the test (task-local), scaled so
/// that before the fix they allocated only a few hundred MB and failed the expectation quickly.
@Suite struct ExperimentMemoryBudgetTests {
  static let small = MemoryBudget(bytes: 64 << 20, origin: "test")

  /// The memory-limit message `body` gives under `budget` (the small one by default).
  static func overBudget(_ budget: MemoryBudget = small, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    overMemoryBudget(budget, body, sourceLocation: sourceLocation)
  }

  static func config(batch: Int, workers: Int = 8) -> ExperimentConfig {
    var c = ExperimentConfig()
    c.model = "mlp:hidden=128"
    c.dataset = "gaussian-mixture:d=4,n=64,classes=3"
    c.workers = workers
    c.batch = batch
    return c
  }

  @Test func aHugeBatchIsRefusedBeforeTheFirstStep() throws {
    // Issue 11: workers=8 batch=1000000 took > 4 GB at 'step 1'; here batch=100000 against 64 MB.
    let message = Self.overBudget {
      let experiment = try Experiment(Self.config(batch: 100_000))
      try experiment.step()
    }
    #expect(message?.hasPrefix("The experiment needs about") == true, "\(message ?? "")")
    #expect(message?.contains("Lower 'batch' or 'workers'") == true, "\(message ?? "")")
  }

  @Test func settingAHugeBatchIsRefusedAndTheExperimentKeepsItsConfig() throws {
    let experiment = try MemoryBudget.$current.withValue(Self.small) { try Experiment(Self.config(batch: 32)) }
    _ = Self.overBudget { try experiment.set("batch", to: "100000") }
    #expect(experiment.config.batch == 32)
    try MemoryBudget.$current.withValue(Self.small) { try experiment.step() }
    #expect(experiment.stepCount == 1)
  }

  @Test func aModelWithTooManyParametersIsRefusedBeforeItsParametersExist() throws {
    let dataset = try Datasets.load("gaussian-mixture:d=4,n=64,classes=3")
    // Issue 11: mlp:hidden=65536-65536 took > 5 GB (2^32 weights, 16 GB as Float32).
    let message = Self.overBudget { _ = try Models.make("mlp:hidden=65536-65536", for: dataset) }
    #expect(message?.contains("The model 'mlp:hidden=65536-65536") == true, "\(message ?? "")")
    #expect(message?.contains("needs about 16 GB") == true, "\(message ?? "")")
  }

  /// An adaptive server optimizer's m and v (and their rollback copies) are four more copies of the parameters:
  /// 1.2 M parameters fit 64 MB under `sgd` (12 copies, 58 MB) but not under `fedadam` (16 copies, 78 MB).
  @Test func anAdaptiveServerOptimizersStateCountsInTheEstimate() throws {
    var c = Self.config(batch: 1, workers: 1)
    c.model = "mlp:hidden=1100-1100"
    _ = try MemoryBudget.$current.withValue(Self.small) { try Experiment(c) }
    c.serverOptimizer = "fedadam"
    let message = Self.overBudget { _ = try Experiment(c) }
    #expect(message?.hasPrefix("The experiment needs about") == true, "\(message ?? "")")
  }

  @Test func theFootprintCountsTheServerOptimizersState() throws {
    var c = Self.config(batch: 4, workers: 2)
    let plain = try Experiment(c)
    try plain.step()
    #expect(plain.footprint.serverState == 0)
    c.serverOptimizer = "fedadam"
    let adaptive = try Experiment(c)
    try adaptive.step()
    // m and v hold as many floats as x and x₀ (the `parameters` part).
    #expect(adaptive.footprint.serverState == adaptive.footprint.parameters && adaptive.footprint.serverState > 0)
    #expect(adaptive.footprint.total - plain.footprint.total >= adaptive.footprint.serverState)
  }

  @Test func theDefaultExperimentFitsTheDefaultBudget() throws {
    let experiment = try Experiment(ExperimentConfig())
    try experiment.step()
    #expect(experiment.stepCount == 1)
  }
}
