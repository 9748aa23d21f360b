import Foundation
import HSQ
@testable import HSQCommands
import HSQContract
import HSQTestSupport
import Testing

/// Aggregators and server optimizers from the command language: the contract over the registry, the
/// journal's round trip of an optimizer's state, and a custom aggregator loaded, checked and used.
@Suite struct ServerStrategyCommandTests {
  static let small = JournalFaultInjectionTests.small

  @Test("every built-in aggregator holds the aggregator contract",
        arguments: Aggregators.registry.names.map { $0 == "norm-clip" ? "norm-clip:c=3" : $0 } + ["trimmed-mean:beta=0.3"])
  func contract(spec: String) throws {
    let results = try AggregatorContract.check(spec)
    for result in results { #expect(result.passed, "\(spec): \(result.name): \(result.detail)") }
    let linear = try Aggregators.make(spec).properties.isLinear
    #expect(results.contains { $0.name == "mean (declared linear)" } == linear)
  }

  @Test func theContractCatchesAnAggregatorThatIsNotWhatItDeclares() throws {
    if !Aggregators.registry.contains(FirstWorker.info.name) { try Aggregators.register(FirstWorker.self) }
    let results = try AggregatorContract.check("test-first-worker")
    let failed = Set(results.filter { !$0.passed }.map(\.name))
    #expect(failed == ["permutation invariance", "mean (declared linear)"], "\(results)")
    let s = Session()
    let out = s.execute("check test-first-worker")
    #expect(out.isError && out.error?.contains("fails 2 of 5 contract checks") == true, "\(out.error ?? out.text)")
  }

  @Test("every built-in server optimizer holds the server-optimizer contract",
        arguments: ServerOptimizers.registry.names + ["fedadam:bias-correction=true", "fedyogi:bias-correction=true", "fedavgm:momentum=0"])
  func optimizerContract(spec: String) throws {
    let results = try ServerOptimizerContract.check(spec)
    #expect(results.map(\.name) == ["declaration", "shape and finiteness", "determinism", "no update, no move", "descent"])
    for result in results { #expect(result.passed, "\(spec): \(result.name): \(result.detail)") }
  }

  @Test func theContractCatchesAServerOptimizerThatClimbsOrDrifts() throws {
    if !ServerOptimizers.registry.contains(ClimbingDrift.info.name) { try ServerOptimizers.register(ClimbingDrift.self) }
    let results = try ServerOptimizerContract.check("test-climbing-drift")
    let failed = Set(results.filter { !$0.passed }.map(\.name))
    #expect(failed == ["no update, no move", "descent"], "\(results)")
    let out = Session().execute("check test-climbing-drift")
    #expect(out.isError && out.error?.contains("fails 2 of 5 contract checks") == true, "\(out.error ?? out.text)")
  }

  @Test func theJournalRestoresFedAdamsStateBitIdentically() throws {
    let folder = try ScriptProcessTests.folder([:])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let directory = folder + "/journal"
    let journal = try SessionJournal.open(directory: directory, settings: JournalSettings(everySteps: 2, everySeconds: 1000), warn: { _ in })
    let s = Session()
    s.workingDirectory = folder
    s.startJournal(journal)
    for line in ["experiment a \(Self.small) aggregator=median server-optimizer=fedadam:lr=0.05", "step 4"] {
      let out = s.execute(line)
      #expect(!out.isError, "\(line): \(out.error ?? "")")
    }
    // The session "dies" here: recover a copy of its journal into a new session.
    let copy = folder + "/copy"
    try FileManager.default.copyItem(atPath: directory, toPath: copy)
    let recovered = Session()
    recovered.workingDirectory = folder
    let report = recovered.recover(from: try SessionJournal.open(directory: copy, settings: JournalSettings(everySteps: 2, everySeconds: 1000), warn: { _ in }))
    #expect(report.failures.isEmpty, "\(report.text)")
    let (a, b) = (try s.experiment("a"), try recovered.experiment("a"))
    #expect(b.stepCount == 4 && b.serverOptimizer.spec == a.serverOptimizer.spec && b.aggregator.spec == "median")
    let (sa, sb) = (try #require(a.serverOptimizerState), try #require(b.serverOptimizerState))
    #expect(sa.steps == sb.steps)
    for slot in ["m", "v"] { #expect(sa.buffers[slot]!.map { $0.map(\.bitPattern) } == sb.buffers[slot]!.map { $0.map(\.bitPattern) }, "\(slot)") }
    #expect(!s.execute("step 3").isError && !recovered.execute("step 3").isError)
    #expect(a.parameters.map { $0.map(\.bitPattern) } == b.parameters.map { $0.map(\.bitPattern) })
    #expect(a.history.map(\.withoutTimings) == b.history.map(\.withoutTimings))
    recovered.closeJournal()
    s.closeJournal()
  }

  @Test func theTheoryDisplaysSayWhenTheStrategyLeavesTheTheory() throws {
    let s = Session()
    for line in ["experiment a \(Self.small) aggregator=median server-optimizer=fedadam", "step 2"] { #expect(!s.execute(line).isError) }
    let theory = s.execute("theory")
    #expect(theory.text.contains("server: the aggregator 'median' is not linear"), "\(theory.text)")
    #expect(theory.text.contains("server: the server optimizer 'fedadam:lr=0.01,beta1=0.9,beta2=0.99,tau=0.001' is outside the theory"))
    let bound = s.execute("bound")
    #expect(bound.text.contains("note: the aggregator 'median' is not linear"), "\(bound.text)")
    let defaults = Session()
    for line in ["experiment a \(Self.small)", "step 2"] { #expect(!defaults.execute(line).isError) }
    #expect(!defaults.execute("theory").text.contains("server:"))
  }

  /// A scaffolded strategy: the kind, its type and registry name, the folder it is written to, the spec checked
  /// and used, the setting that uses it, the check JSON's key, and how many contract checks it runs.
  struct Scaffold: Sendable, CustomTestStringConvertible {
    let kind: String, type: String, name: String, folder: String, spec: String, setting: String, key: String, checks: Int
    var testDescription: String { kind }
  }

  static let scaffolds = [
    Scaffold(kind: "aggregator", type: "ClampedMean", name: "clamped-mean", folder: "Aggregators", spec: "clamped-mean:limit=0.5",
             setting: "aggregator", key: "aggregator", checks: 4),
    Scaffold(kind: "server-optimizer", type: "ServerSignum", name: "server-signum", folder: "ServerOptimizers", spec: "server-signum:lr=0.01",
             setting: "server-optimizer", key: "server_optimizer", checks: 5),
  ]

  @Test(
    "a custom strategy from a file: scaffold, load, check, train, save and load",
    .requires("hsq-repl and hsq-new-compressor built beside the tests", AddOnTests.hasBinaries), arguments: scaffolds)
  func customStrategyLoadsAndChecks(_ c: Scaffold) throws {
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    #expect(try AddOnTests.scaffold([c.type, "--kind", c.kind], in: scratch.url) == 0)
    #expect(FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("\(c.folder)/\(c.type)/Tests/\(c.type)ContractTests.swift").path))
    let repl = try ReplDriver(directory: scratch.url)
    let load = try repl.send("load \(c.folder)/\(c.type)/\(c.type).swift")
    try #require(load.ok, "\(load.error) \(repl.errors)")
    #expect(load.result["components"] as? [String] == [c.name])
    let check = try repl.send("check \(c.spec)")
    #expect(check.ok && check.result["passed"] as? Bool == true && check.result[c.key] as? String == c.spec, "\(check.result)")
    #expect((check.result["checks"] as? [Any])?.count == c.checks)
    #expect(try repl.send("experiment e \(Self.small) \(c.setting)=\(c.spec)").ok)
    let run = try repl.send("run --steps 5")
    #expect(run.ok && run.result["step"] as? Int == 5, "\(run.result) \(run.error)")
    #expect(try repl.send("save e.safetensors").ok)
    let loaded = try repl.send("load e.safetensors --as f")
    #expect(loaded.ok, "\(loaded.error)")
    let end = try repl.finish()
    #expect(end.exitStatus == 0, "\(repl.errors)")
  }
}

/// Moves with the update instead of against it, and drifts by 10⁻³ a step even without one.
struct ClimbingDrift: ServerOptimizerComponent {
  static let info = ComponentInfo(kind: .serverOptimizer, name: "test-climbing-drift", summary: "Climbs the update and drifts.")
  init(_ parameters: ParameterValues) throws {}
  var spec: String { "test-climbing-drift" }
  var stateSlots: [ServerStateSlot] { [] }
  func step(_ g: [Float], parameters x: inout [Float], state: inout [[Float]], context: ServerStepContext) {
    for i in x.indices { x[i] += Float(context.learningRate) * g[i] + 1e-3 }
  }
}

/// Returns the first worker's message and calls itself linear and permutation invariant: it is neither.
struct FirstWorker: AggregatorComponent {
  static let info = ComponentInfo(kind: .aggregator, name: "test-first-worker", summary: "The first worker's message.")
  init(_ parameters: ParameterValues) throws {}
  var spec: String { "test-first-worker" }
  var properties: AggregatorProperties { .init(isLinear: true, isPermutationInvariant: true) }
  func aggregate(_ messages: [[[Float]]]) throws -> [[Float]] { messages[0] }
}
