import HSQCore
@testable import HSQExperiments
import Testing

/// A run's history grows by a record a step; the memory limit bounds it like every other size a user controls: the run
/// stops, in a consistent state and with one message naming the limit, before the experiment passes the limit.
@Suite struct HistoryBudgetTests {
  @Test func aRunStopsBeforeTheHistoryPassesTheMemoryLimit() throws {
    let limit = 1 << 20
    let e = try Experiment(SafeTensorsCheckpointTests.small())
    let outcome = MemoryBudget.$current.withValue(MemoryBudget(bytes: limit, origin: "test")) {
      e.run(until: StopCondition(steps: 100_000))
    }
    guard case .failed(let message) = outcome.reason else {
      Issue.record("the run ended by \(outcome.reason) at step \(e.stepCount), history \(e.footprint.history) bytes")
      return
    }
    #expect(message.contains("memory limit") && message.contains("memory SIZE"), "\(message)")
    #expect(e.footprint.total <= limit, "\(e.footprint)")
    #expect(e.stepCount > 100 && e.stepCount == e.history.count && outcome.records.count == e.stepCount)
    // Under a larger limit the same experiment goes on from where it stopped.
    let steps = e.stepCount
    _ = MemoryBudget.$current.withValue(MemoryBudget(bytes: 4 << 20, origin: "test")) { e.run(until: StopCondition(steps: 10)) }
    #expect(e.stepCount == steps + 10)
  }
}

/// A sweep's runs exist at once and share the memory limit: built one after another under what the ones before leave,
/// and each run's history grows into an equal share of the rest (its threads run under the limit of the command).
@Suite struct SweepBudgetTests {
  static func plan(seeds: [UInt64], steps: Int) throws -> SweepPlan {
    try SweepPlan(base: SafeTensorsCheckpointTests.small(), axes: [.init(setting: "lr", values: ["0.05", "0.1"])],
                  seeds: seeds, condition: StopCondition(steps: steps))
  }

  @Test func theRunsHistoriesShareTheLimit() throws {
    let limit = 2 << 20
    let sweep = try MemoryBudget.$current.withValue(MemoryBudget(bytes: limit, origin: "test")) {
      try Sweep.run(name: "s", plan: try Self.plan(seeds: [0, 1], steps: 100_000), jobs: 2)
    }
    #expect(sweep.runs.count == 4 && sweep.runs.allSatisfy { $0.failed && $0.stop.contains("memory limit") }, "\(sweep.runs.map(\.stop))")
    let history = sweep.runs.reduce(0) { $0 + $1.history.count * Experiment.Footprint.bytes(ofRecordWithLayers: $1.history.last?.layers.count ?? 0) }
    #expect(history <= limit && sweep.runs.allSatisfy { $0.history.count > 100 }, "\(history) bytes of history in \(sweep.runs.map(\.history.count)) steps")
  }

  @Test func runsThatFitOneByOneButNotTogetherAreRefusedNamingTheSweep() throws {
    // One run's estimate is most of the limit; the runs' arrays together would pass it.
    var config = SafeTensorsCheckpointTests.small()
    config.dataset = "gaussian-mixture:d=784,n=200,n-test=50"
    config.model = "mlp:hidden=256"
    config.workers = 2
    config.batch = 8
    let plan = try SweepPlan(base: config, axes: [], seeds: [0, 1, 2, 3], condition: StopCondition(steps: 1))
    #expect {
      try MemoryBudget.$current.withValue(MemoryBudget(bytes: 17 << 20, origin: "test")) { try Sweep.run(name: "s", plan: plan, jobs: 2) }
    } throws: { error in
      let text = "\(error)"
      return text.contains("The sweep's 4 runs exist at once") && text.contains("Sweep fewer configurations or seeds")
    }
  }
}
