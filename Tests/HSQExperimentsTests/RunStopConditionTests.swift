import HSQ
import Testing

/// `run` stops at the first step meeting its condition: epochs and bits from the arithmetic of the setup, loss and
/// accuracy from a reference trajectory stepped one step at a time.
@Suite struct RunStopConditionTests {
  /// 4 workers × batch 16 = 64 examples a step on 800 training examples: 0.08 epochs a step.
  static func config(_ compressor: String = "identity") -> ExperimentConfig {
    SmallExperiment.config(compressor: compressor, workers: 4, lr: 0.2, seed: 5)
  }

  /// Epochs are totals: after n steps the experiment has seen 64n/800 epochs, so E needs ⌈E/0.08⌉ steps.
  @Test(arguments: [(0.5, 7), (0.4, 5), (0.08, 1), (1.2, 15)])
  func epochsStopAtTheRightStep(epochs: Double, steps: Int) throws {
    let e = try Experiment(Self.config())
    let outcome = e.run(until: StopCondition(epochs: epochs))
    #expect(outcome.reason == .epochs)
    #expect(outcome.records.count == steps)
    // A second run to the same total does nothing.
    #expect(e.run(until: StopCondition(epochs: epochs)).records.isEmpty)
  }

  /// The identity uplink sends 32 bits per parameter per worker: B bits need ⌈B / (4·32·P)⌉ steps.
  @Test func bitsStopOnceTheBudgetIsReached() throws {
    let perStep = 4 * 32 * (try Experiment(Self.config())).model.parameterCount
    for (budget, steps) in [(3 * perStep, 3), (3 * perStep + 1, 4), (1, 1)] {
      let e = try Experiment(Self.config())
      let outcome = e.run(until: StopCondition(bitsBudget: budget))
      #expect(outcome.reason == .bitsBudget, "budget \(budget)")
      #expect(outcome.records.count == steps, "budget \(budget)")
      #expect(outcome.records.last?.cumulativeBitsUp == steps * perStep)
    }
  }

  /// The reference trajectory: the same experiment stepped by hand, evaluated after every step.
  static func reference(steps: Int) throws -> [(loss: Double, accuracy: Double)] {
    let e = try Experiment(Self.config("hsq:dim=8,k=32,codebook=gaussian,norm-bits=6"))
    return try (0..<steps).map { _ in
      let record = try e.step()
      return (record.trainLoss, try #require(try e.evaluate().accuracy))
    }
  }

  @Test func lossAndAccuracyStopAtTheFirstStepMeetingThem() throws {
    let trajectory = try Self.reference(steps: 30)
    // Targets met first at a step past the start: the loss of step 12 and the best accuracy of steps 8...20.
    let lossTarget = trajectory[12].loss
    let lossStop = try #require(trajectory.firstIndex { $0.loss <= lossTarget }) + 1
    let accuracyTarget = trajectory[8...20].map(\.accuracy).max()!
    let accuracyStop = try #require(trajectory.firstIndex { $0.accuracy >= accuracyTarget }) + 1
    #expect(lossStop > 1 && accuracyStop > 1, "the targets are not met at once")

    let byLoss = try Experiment(Self.config("hsq:dim=8,k=32,codebook=gaussian,norm-bits=6"))
    let lossOutcome = byLoss.run(until: StopCondition(steps: 30, loss: lossTarget))
    #expect(lossOutcome.reason == .loss)
    #expect(lossOutcome.records.count == lossStop)
    #expect(lossOutcome.records.last?.trainLoss == trajectory[lossStop - 1].loss)

    let byAccuracy = try Experiment(Self.config("hsq:dim=8,k=32,codebook=gaussian,norm-bits=6"))
    let accuracyOutcome = byAccuracy.run(until: StopCondition(steps: 30, accuracy: accuracyTarget))
    #expect(accuracyOutcome.reason == .accuracy)
    #expect(accuracyOutcome.records.count == accuracyStop)
    #expect(accuracyOutcome.records.map { $0.testAccuracy } == trajectory[..<accuracyStop].map { Optional($0.accuracy) })

    // Unreachable targets leave the step count to decide.
    let neither = try Experiment(Self.config("hsq:dim=8,k=32,codebook=gaussian,norm-bits=6"))
    let capped = neither.run(until: StopCondition(steps: 6, loss: -1, accuracy: 1.01))
    #expect(capped.reason == .steps && capped.records.count == 6)
  }
}
