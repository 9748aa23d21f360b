import Foundation
import HSQ
import Testing

/// After a divergence the advice in the message works: the state is from before the update that blew up.
@Suite struct DivergenceRecoveryTests {
  /// The reproduction: least squares with lr 0.9 and momentum 0.99 diverges within 200 steps.
  static func diverging() throws -> (Experiment, RunOutcome) {
    var c = ExperimentConfig()
    c.model = "least-squares"
    c.dataset = "linear:d=8,n=256"
    c.batch = 4
    c.workers = 2
    c.lr = 0.9
    c.momentum = 0.99
    let e = try Experiment(c)
    return (e, e.run(until: StopCondition(steps: 200)))
  }

  static func message(_ outcome: RunOutcome) -> String? {
    guard case let .diverged(message) = outcome.reason else { return nil }
    return message
  }

  @Test func lowerLearningRateThenTrainingContinues() throws {
    let (e, outcome) = try Self.diverging()
    let message = try #require(Self.message(outcome), "expected divergence, got \(outcome.reason)")
    #expect(message.contains("the state is back at step \(e.stepCount), the last whose loss was within"), "\(message)")
    #expect(e.events.last?.text.contains("undone") == true, "the log says which steps were undone")
    #expect(e.history.count == e.stepCount && outcome.records.count == e.stepCount, "records of undone steps are not kept")
    try e.set("lr", to: "0.000001")
    try e.set("momentum", to: "0")
    let next = try e.step()
    #expect(next.trainLoss.isFinite)
    let more = e.run(until: StopCondition(steps: 20))
    #expect(more.reason == .steps, "\(more.reason)")
    #expect(more.records.allSatisfy { $0.trainLoss.isFinite })
  }

  @Test func theSameSettingsDivergeAgainFromTheSameState() throws {
    let (e, _) = try Self.diverging()
    let kept = e.stepCount, parameters = e.parameters
    let again = e.run(until: StopCondition(steps: 200))
    #expect(Self.message(again) != nil)
    #expect(e.stepCount == kept && e.parameters == parameters, "deterministic: the same divergence, the same state")
  }

  @Test func aSavedDivergedExperimentContinuesAfterLoad() throws {
    let (e, first) = try Self.diverging()
    // A change logged after the state rolled back to stays in the log, and the file still loads.
    let kept = e.stepCount
    _ = e.run(until: StopCondition(steps: 5))
    try e.set("weight-decay", to: "0")
    #expect(Self.message(e.run(until: StopCondition(steps: 200))) != nil && e.stepCount == kept, "\(first.reason)")
    #expect(e.events.contains { $0.step > e.stepCount })
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-diverged-\(UUID()).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try e.save(to: path)
    let loaded = try Experiment.load(from: path)
    try loaded.set("lr", to: "0.000001")
    try loaded.set("momentum", to: "0")
    #expect(try loaded.step().trainLoss.isFinite)
    #expect(loaded.run(until: StopCondition(steps: 20)).reason == .steps)
  }
}
