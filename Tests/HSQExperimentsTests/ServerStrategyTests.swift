import Foundation
import HSQ
import HSQCore
@testable import HSQExperiments
import Testing

/// Aggregators and server optimizers inside experiments: settings, records, checkpoints, undo, threads.
@Suite struct ServerStrategyTests {
  static func config(aggregator: String? = nil, optimizer: String? = nil, compressor: String = "qsgd", ef: Bool = false, threads: Int = 0) -> ExperimentConfig {
    var c = SmallExperiment.config(compressor: compressor, workers: 5, seed: 3)
    c.aggregator = aggregator
    c.serverOptimizer = optimizer
    c.errorFeedback = ef
    c.threads = threads
    return c
  }

  static let strategies: [(String?, String?)] = [
    ("median", nil), ("trimmed-mean:beta=0.2", nil), ("norm-clip:c=0.5", nil),
    (nil, "fedadam"), (nil, "fedyogi:bias-correction=true"), (nil, "fedadagrad"), (nil, "fedavgm:lr=0.05"),
    ("median", "fedadam:lr=0.02"),
  ]

  @Test(arguments: strategies)
  func everyBuiltInIsBitIdenticalAcrossThreadCounts(aggregator: String?, optimizer: String?) throws {
    var runs: [Experiment] = []
    for threads in [1, 3] {
      let e = try Experiment(Self.config(aggregator: aggregator, optimizer: optimizer, ef: true, threads: threads))
      _ = e.run(until: StopCondition(steps: 4))
      runs.append(e)
    }
    #expect(runs[0].history.count == 4)
    #expect(runs[0].parameters.map { $0.map(\.bitPattern) } == runs[1].parameters.map { $0.map(\.bitPattern) })
    #expect(runs[0].history.map(\.withoutTimings) == runs[1].history.map(\.withoutTimings))
    #expect(runs[0].history.allSatisfy { $0.server != nil }, "a non-default strategy records the server state")
  }

  @Test func theDefaultRecordsNoServerStateAndListsNoStrategy() throws {
    let e = try Experiment(Self.config())
    let record = try e.step()
    #expect(record.server == nil)
    let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
    #expect(!json.contains("\"server\""))
    let config = String(decoding: try JSONEncoder().encode(e.config), as: UTF8.self)
    #expect(!config.contains("aggregator") && !config.contains("serverOptimizer"), "default configs are stored as before")
    #expect(!ExperimentConfig.listedFields(for: [e.config]).contains { $0.name == "aggregator" || $0.name == "server-optimizer" })
  }

  @Test func fedAdamsRecordsShowTheMomentNorms() throws {
    let e = try Experiment(Self.config(optimizer: "fedadam"))
    let record = try e.step()
    let server = try #require(record.server)
    #expect(server.fields.map(\.key) == ["steps", "m_norm", "v_norm"])
    let state = try #require(e.serverOptimizerState)
    #expect(state.steps == 1)
    let m = state.buffers["m"]!.reduce(0.0) { $0 + Vec.squaredNorm($1) }.squareRoot()
    #expect(server.fields[1].value == m)
    let table = MetricsTable(e.history)
    #expect(table.columns.contains("server.m_norm") && table.columns.contains("server.v_norm") && table.columns.contains("server.steps"))
    let decoded = try JSONDecoder().decode(StepRecord.self, from: try JSONEncoder().encode(record))
    #expect(decoded == record)
  }

  @Test func aCustomOptimizerRegisteredInProcessSeesTheMeanUpdate() throws {
    // x ← x − g is sgd with lr 1 and no momentum: the generic path must give the fused pass's bits.
    if !ServerOptimizers.registry.contains(PlainStep.info.name) { try ServerOptimizers.register(PlainStep.self) }
    var fused = Self.config(compressor: "identity")
    fused.lr = 1
    var generic = fused
    generic.serverOptimizer = "test-plain-step"
    let a = try Experiment(fused), b = try Experiment(generic)
    _ = a.run(until: StopCondition(steps: 3))
    _ = b.run(until: StopCondition(steps: 3))
    #expect(a.parameters.map { $0.map(\.bitPattern) } == b.parameters.map { $0.map(\.bitPattern) })
    #expect(a.history.map(\.trainLoss) == b.history.map(\.trainLoss))
    #expect(a.history.map(\.gradientNorm) == b.history.map(\.gradientNorm), "‖ḡ‖ is the same mean on both paths")
  }

  @Test func fedAdamsStateResumesBitIdenticallyFromACheckpoint() throws {
    let config = Self.config(aggregator: "median", optimizer: "fedadam:lr=0.02", ef: true)
    try SmallExperiment.expectResumesBitIdentically(config, steps: 6, saveAt: 3)
    let e = try Experiment(config)
    _ = e.run(until: StopCondition(steps: 2))
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-fedadam-\(UUID()).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try e.save(to: path)
    let file = try SafeTensorsFile(path: path)
    for layer in e.model.layers {
      #expect(file.entries["serverState.m.\(layer.name)"] != nil && file.entries["serverState.v.\(layer.name)"] != nil)
    }
    let loaded = try Experiment.load(from: path)
    let (a, b) = (try #require(e.serverOptimizerState), try #require(loaded.serverOptimizerState))
    #expect(a.steps == b.steps && a.buffers["v"]!.map { $0.map(\.bitPattern) } == b.buffers["v"]!.map { $0.map(\.bitPattern) })
  }

  @Test func aCheckpointWhoseStateDoesNotFitTheOptimizerIsRefused() throws {
    let e = try Experiment(Self.config(optimizer: "fedadam"))
    _ = try e.step()
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-fedadam-bad-\(UUID()).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    var checkpoint = try Checkpoint(e)
    checkpoint.serverState["m"] = nil
    try checkpoint.write(to: path, layers: e.model.layers)
    let error = #expect(throws: HSQError.self) { try Experiment.load(from: path) }
    #expect(error?.description.contains("'serverState' holds the buffers [v], but 'fedadam' keeps [m, v]") == true, "\(String(describing: error))")
  }

  @Test func aRolledBackDivergenceRestoresTheOptimizersState() throws {
    var c = ExperimentConfig()
    c.model = "least-squares"
    c.dataset = "linear:d=8,n=256"
    c.batch = 4
    c.workers = 2
    c.serverOptimizer = "fedavgm:lr=0.9,momentum=0.99"
    let e = try Experiment(c)
    let outcome = e.run(until: StopCondition(steps: 200))
    guard case .diverged = outcome.reason else {
      Issue.record("expected a divergence, got \(outcome.reason)")
      return
    }
    let kept = e.stepCount
    let state = try #require(e.serverOptimizerState)
    #expect(state.steps == kept, "the state is the one of the step rolled back to")
    let again = try Experiment(c)
    _ = again.run(until: StopCondition(steps: kept))
    #expect(again.serverOptimizerState?.buffers["velocity"]?.map { $0.map(\.bitPattern) } == state.buffers["velocity"]?.map { $0.map(\.bitPattern) })
    #expect(e.parameters.map { $0.map(\.bitPattern) } == again.parameters.map { $0.map(\.bitPattern) })
  }

  @Test func settingsParseAndBadValuesSayWhatToDo() throws {
    let e = try Experiment(Self.config())
    try e.set("aggregator", to: "trimmed-mean:beta=0.2")
    try e.set("server-optimizer", to: "fedyogi:lr=0.05")
    #expect(e.aggregator.spec == "trimmed-mean:beta=0.2")
    #expect(e.serverOptimizer.spec == "fedyogi:lr=0.05,beta1=0.9,beta2=0.99,tau=0.001")
    #expect(e.events.map(\.text).suffix(2) == ["aggregator: mean → trimmed-mean:beta=0.2", "server-optimizer: sgd → fedyogi:lr=0.05"])
    let typo = #expect(throws: HSQError.self) { try e.set("aggregator", to: "medain") }
    #expect(typo?.description == "Unknown aggregator 'medain'. Did you mean 'median'? Try 'help' or 'apropos medain'.")
    let parameter = #expect(throws: HSQError.self) { try e.set("server-optimizer", to: "fedadam:tau=0") }
    #expect(parameter?.description.contains("'tau'") == true)
    let momentum = #expect(throws: HSQError.self) { try e.set("momentum", to: "0.9") }
    #expect(momentum?.description.contains("set momentum=0 (for server momentum use server-optimizer=fedavgm:momentum=0.9)") == true, "\(String(describing: momentum))")
    #expect(e.config.momentum == 0 && e.serverOptimizer.spec.hasPrefix("fedyogi"), "a refused change changes nothing")
    try e.set("server-optimizer", to: "sgd")
    try e.set("aggregator", to: "mean")
    #expect(e.config.aggregator == nil && e.config.serverOptimizer == nil, "the defaults are stored as before")
  }

  @Test func changingTheOptimizerStartsItsStateOverButNewHyperParametersKeepIt() throws {
    let e = try Experiment(Self.config(optimizer: "fedadam"))
    _ = e.run(until: StopCondition(steps: 2))
    try e.set("server-optimizer", to: "fedadam:lr=0.005")
    #expect(e.serverOptimizerState?.steps == 2)
    try e.set("server-optimizer", to: "fedyogi")
    #expect(e.serverOptimizerState == nil)
    _ = try e.step()
    #expect(e.serverOptimizerState?.steps == 1)
  }
}

/// x ← x − g: a server optimizer registered in process, as a researcher's would be.
struct PlainStep: ServerOptimizerComponent {
  static let info = ComponentInfo(kind: .serverOptimizer, name: "test-plain-step", summary: "x ← x − g.")
  init(_ parameters: ParameterValues) throws {}
  var spec: String { "test-plain-step" }
  var stateSlots: [ServerStateSlot] { [] }
  func step(_ g: [Float], parameters x: inout [Float], state: inout [[Float]], context: ServerStepContext) {
    for i in x.indices { x[i] -= g[i] }
  }
}
