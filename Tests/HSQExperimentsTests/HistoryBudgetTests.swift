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
