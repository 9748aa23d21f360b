import Foundation
import HSQ
import Testing

/// Sweeps: the plan's grid, parallel runs identical to runs alone, grouping and paired statistics.
@Suite struct SweepTests {
  static func plan(seeds: [UInt64] = [0, 1, 2], steps: Int = 6) throws -> SweepPlan {
    var base = SmallExperiment.config(workers: 4, seed: 0)
    base.evalEvery = 0
    return try SweepPlan(base: base, axes: [.init(setting: "compressor", values: ["identity", "qsgd:bits=2,bucket=64"]), .init(setting: "lr", values: ["0.05", "0.1"])],
                         seeds: seeds, condition: StopCondition(steps: steps))
  }

  @Test func gridOrderAndLabels() throws {
    let p = try Self.plan()
    #expect(p.configurationCount == 4 && p.runCount == 12)
    #expect(p.label(ofConfiguration: 0) == "compressor=identity lr=0.05")
    #expect(p.label(ofConfiguration: 1) == "compressor=identity lr=0.1")
    #expect(p.label(ofConfiguration: 3) == "compressor=qsgd:bits=2,bucket=64 lr=0.1")
    let c = try p.config(configuration: 2, seed: 7)
    #expect(c.compressor == "qsgd:bits=2,bucket=64" && c.lr == 0.05 && c.seed == 7 && c.threads == 1)
  }

  @Test func valuesKeepTheirParameters() throws {
    #expect(SweepPlan.splitValues("hsq:dim=16,k=256,qsgd:bits=2,topk:ratio=0.01,identity") == ["hsq:dim=16,k=256", "qsgd:bits=2", "topk:ratio=0.01", "identity"])
    #expect(SweepPlan.splitValues("iid,dirichlet:alpha=0.5") == ["iid", "dirichlet:alpha=0.5"])
    #expect(try SweepPlan.parseSeeds("0..4") == [0, 1, 2, 3, 4])
    let linked = try SweepPlan(base: ExperimentConfig(), axes: [.init(setting: "compressor+ef", values: SweepPlan.splitValues("identity+false,topk:ratio=0.1+true"))],
                               seeds: [0], condition: StopCondition(steps: 1))
    #expect(linked.configurationCount == 2)
    #expect(linked.label(ofConfiguration: 1) == "compressor=topk:ratio=0.1 ef=true")
    let c = try linked.config(configuration: 1, seed: 0)
    #expect(c.compressor == "topk:ratio=0.1" && c.errorFeedback)
    #expect(throws: HSQError.self) { try SweepPlan(base: ExperimentConfig(), axes: [.init(setting: "compressor+ef", values: ["identity"])], seeds: [0], condition: StopCondition(steps: 1)) }
    #expect(try SweepPlan.parseSeeds("3,9") == [3, 9])
    #expect(throws: HSQError.self) { try SweepPlan.parseSeeds("0..x") }
    #expect(throws: HSQError.self) { try SweepPlan(base: ExperimentConfig(), axes: [.init(setting: "lr", values: ["-1", "0.1"])], seeds: [0], condition: StopCondition(steps: 1)) }
    #expect(throws: HSQError.self) { try SweepPlan(base: ExperimentConfig(), axes: [], seeds: [0], condition: StopCondition()) }
  }

  /// Every run of a sweep on 2 threads has the records (timings aside) and final evaluation of the same experiment run alone.
  @Test func parallelRunsAreIdenticalToRunsAlone() throws {
    let plan = try Self.plan()
    let sweep = try Sweep.run(name: "s", plan: plan, jobs: 2)
    #expect(!sweep.interrupted)
    #expect(sweep.runs.count == 12)
    for run in sweep.runs {
      var config = try plan.config(configuration: run.configuration, seed: run.seed)
      config.threads = 0
      let alone = try Experiment(config)
      _ = alone.run(until: plan.condition)
      try alone.evaluateLastStepOnFullTestSet()
      #expect(run.history.map(\.withoutTimings) == alone.history.map(\.withoutTimings), "configuration \(run.configuration), seed \(run.seed)")
      #expect(run.history.last?.testExamples == 200)
    }
  }

  /// Grouping: a configuration's summary is the SampleSummary of its runs' final accuracies; paired is per seed.
  @Test func groupingAndPairedDifferences() throws {
    let sweep = try Sweep.run(name: "s", plan: try Self.plan(), jobs: 2)
    for c in 0..<4 {
      let accuracies = sweep.runs(ofConfiguration: c).map { $0.history.last!.testAccuracy! }
      #expect(accuracies.count == 3)
      #expect(sweep.summary(configuration: c, .accuracy) == SampleSummary(accuracies))
    }
    let a = sweep.runs(ofConfiguration: 0).map { $0.history.last!.testAccuracy! }
    let b = sweep.runs(ofConfiguration: 2).map { $0.history.last!.testAccuracy! }
    let paired = try #require(sweep.paired(0, 2, .accuracy))
    #expect(paired.seeds == [0, 1, 2])
    #expect(paired.summary == SampleSummary(zip(a, b).map { $1 - $0 }))
    let curve = sweep.meanCurve(configuration: 0, x: { Double($0.step) }, y: { $0.trainLoss })
    #expect(curve.x == [1, 2, 3, 4, 5, 6])
    #expect(curve.mean.count == 6 && zip(curve.low, curve.high).allSatisfy { $0 <= $1 })
  }

  /// Cancelling during a sweep stops every run between steps and keeps the runs that finished, whole.
  @Test func cancelledSweepKeepsFinishedRuns() throws {
    let token = Cancellation()
    let plan = try SweepPlan(base: SmallExperiment.config(workers: 2, seed: 0), axes: [], seeds: [0, 1, 2, 3], condition: StopCondition(steps: 1500))
    let sweep = try Sweep.run(name: "s", plan: plan, jobs: 1, cancellation: token) { progress in
      if progress.finished >= 1 { token.cancel() }
    }
    #expect(sweep.interrupted)
    #expect(!sweep.runs.isEmpty && sweep.runs.count < 4)
    #expect(sweep.runs.allSatisfy { $0.history.count == 1500 })
    // Cancelled before it starts, nothing runs.
    #expect(throws: HSQError.interrupted) { try Sweep.run(name: "s", plan: plan, jobs: 1, cancellation: token) }
  }
}
