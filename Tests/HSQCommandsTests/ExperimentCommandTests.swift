import Foundation
import HSQ
import Testing

@testable import HSQCommands

/// `run` with each stop option, `reset`, `tour`, and `theory --samples` under different thread counts, through the
/// command engine, against experiments driven directly.
@Suite struct ExperimentCommandTests {
  /// 4 workers × batch 16 on 800 examples: 0.08 epochs a step.
  static let settings = [
    "dataset=gaussian-mixture:classes=4,d=40,n=800,n-test=200", "model=mlp:hidden=32", "workers=4", "batch=16", "lr=0.2",
    "seed=5", "compress-threshold=100", "compressor=hsq:dim=8,k=32,codebook=gaussian,norm-bits=6",
  ]

  /// The same experiment, built directly.
  static func config() throws -> ExperimentConfig {
    var c = ExperimentConfig()
    for setting in settings {
      let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
      try ExperimentConfig.field(parts[0]).assign(parts[1], in: &c)
    }
    return c
  }

  static func session() -> Session {
    let s = Session()
    s.workingDirectory = FileManager.default.temporaryDirectory.path
    let out = s.execute("experiment e " + settings.joined(separator: " "))
    precondition(!out.isError, out.error ?? "")
    return s
  }

  /// Runs `line` and returns the number of steps it took (from its JSON).
  static func steps(_ s: Session, _ line: String) throws -> Int {
    let out = s.execute(line)
    #expect(!out.isError, "'\(line)': \(out.error ?? "")")
    let object = try JSONSerialization.jsonObject(with: Data(out.json.rendered.utf8)) as? [String: Any]
    return try #require(object?["steps"] as? Int, "'\(line)' reports its steps")
  }

  @Test func runEpochsAndBitsStopAtTheRightStep() throws {
    let s = Self.session()
    #expect(try Self.steps(s, "run --epochs 0.5") == 7, "⌈0.5 / 0.08⌉")
    #expect(try Self.steps(s, "run --epochs 1.2") == 8, "epochs are totals: 15 steps in all")
    let e = try s.experiment()
    let perStep = try #require(e.history.first).bitsUp
    #expect(e.history.allSatisfy { $0.bitsUp == perStep }, "a fixed-size payload")
    let before = try #require(e.history.last).cumulativeBitsUp
    #expect(try Self.steps(s, "run --bits \(before + 2 * perStep + 1)") == 3)
    #expect(s.execute("run --bits \(before)").text.contains("bits budget reached after 0 step(s)"))
  }

  @Test func runLossAndAccuracyStopAtTheFirstStepMeetingThem() throws {
    let reference = try Experiment(try Self.config())
    var trajectory: [(loss: Double, accuracy: Double)] = []
    for _ in 0..<20 {
      let record = try reference.step()
      trajectory.append((record.trainLoss, try #require(try reference.evaluate().accuracy)))
    }
    let lossTarget = trajectory[9].loss
    let lossStop = try #require(trajectory.firstIndex { $0.loss <= lossTarget }) + 1
    let accuracyTarget = trajectory[5...15].map(\.accuracy).max()!
    let accuracyStop = try #require(trajectory.firstIndex { $0.accuracy >= accuracyTarget }) + 1
    #expect(lossStop > 1 && accuracyStop > 1)

    let s = Self.session()
    #expect(try Self.steps(s, "run --loss \(lossTarget) --steps 20") == lossStop)
    #expect(try s.experiment().history.last?.trainLoss == trajectory[lossStop - 1].loss)
    let t = Self.session()
    #expect(try Self.steps(t, "run --accuracy \(accuracyTarget) --steps 20") == accuracyStop)
    #expect(try t.experiment().history.last?.testAccuracy == trajectory[accuracyStop - 1].accuracy)
  }

  @Test func everySettingTheEngineTestsIsParsedFromTheCommandLine() throws {
    let s = Session()
    let out = s.execute(
      "experiment f dataset=gaussian-mixture:classes=4,d=40,n=800,n-test=200 model=mlp:hidden=32 workers=3 protocol=local local-steps=3 "
        + "downlink=hsq:dim=8,k=32,codebook=gaussian,norm-bits=6 ef=true ef-scale=warmup lr-decay=0.5 lr-decay-every=0.4 "
        + "weight-decay=0.01 partition=shards track-theory=false test-subset=50")
    #expect(!out.isError, "\(out.error ?? "")")
    let c = try s.experiment().config
    #expect(c.protocolName == .local && c.localSteps == 3)
    #expect(c.downlink == "hsq:dim=8,k=32,codebook=gaussian,norm-bits=6")
    #expect(c.errorFeedback && c.efScale == .warmup)
    #expect(c.lrDecay == 0.5 && c.lrDecayEvery == 0.4 && c.weightDecay == 0.01)
    #expect(c.partition == "shards" && !c.trackTheory && c.testSubset == 50)
    #expect(try s.experiment().evaluate().count == 50)
  }

  /// `set lr=0.2`, as `experiment` spells its settings, was refused ("'set' needs <value>").
  @Test func setTakesNameEqualsValueAsWellAsNameAndValue() throws {
    let s = Self.session()
    let out = s.execute("set lr=0.2")
    #expect(!out.isError, "\(out.error ?? "")")
    #expect(try s.experiment().config.lr == 0.2)
    #expect(!s.execute("set compressor=hsq:dim=4,k=16,codebook=gaussian").isError)
    #expect(try s.experiment().config.compressor == "hsq:dim=4,k=16,codebook=gaussian")
    #expect(s.execute("set momentum 0.5 --on e").error == nil)
    #expect(try s.experiment().config.momentum == 0.5)
    #expect(s.execute("set lr=0.3 momentum=0.9").error?.contains("one setting at a time: 'set lr=0.3', then 'set momentum=0.9'") == true)
    #expect(s.execute("set lr=").error?.contains("has no value") == true)
    #expect(s.execute("set lr").error?.contains("'set lr VALUE' or 'set lr=VALUE'") == true)
    #expect(try s.experiment().config.lr == 0.2)
  }

  @Test func resetStartsAgainFromStepZeroWithTheCurrentSettings() throws {
    let s = Self.session()
    _ = s.execute("step 3")
    _ = s.execute("set lr 0.1")
    let out = s.execute("reset")
    #expect(out.text == "e is back at step 0.")
    let e = try s.experiment()
    #expect(e.stepCount == 0 && e.history.isEmpty)
    var config = try Self.config()
    config.lr = 0.1
    #expect(e.config == config)
    let fresh = try Experiment(config)
    #expect(e.parameters == fresh.parameters)
    _ = s.execute("step 2")
    _ = fresh.run(until: StopCondition(steps: 2))
    #expect(e.history.map(\.withoutTimings) == fresh.history.map(\.withoutTimings))
    #expect(Session().execute("reset").error?.contains("There is no experiment yet") == true)
  }

  @Test func tourCreatesTheExperimentItDescribes() throws {
    let s = Session()
    let out = s.execute("tour")
    #expect(!out.isError, "\(out.error ?? "")")
    #expect(out.text.hasPrefix("Guided tour: an MLP learns"))
    #expect(out.text.contains("Try next:"))
    #expect(s.current == "first")
    let e = try s.experiment()
    #expect(e.config.dataset == Datasets.defaultSpec)
    #expect(e.config.model == "mlp:hidden=128")
    #expect(e.config.compressor == "hsq:dim=16,k=256,codebook=kmeans,norm-bits=6")
    #expect(e.config.errorFeedback && e.config.workers == 8 && e.config.batch == 32 && e.config.lr == 0.1)
    #expect(e.config.evalEvery == 50 && e.config.testSubset == 2000)
    // The first suggestions work as the tour says.
    #expect(!s.execute("step 2").isError)
    let theory = s.execute("theory --samples 5")
    #expect(!theory.isError, "\(theory.error ?? "")")
    #expect(try e.evaluate().count == min(2000, e.dataset.test.count))
  }

  @Test func theorySamplesGiveTheSameTableWhateverTheThreadCount() throws {
    let s = Self.session()
    _ = s.execute("step 2")
    let tables = [1, 2, 3].map { threads -> String in
      _ = s.execute("set threads \(threads)")
      return s.execute("theory --samples 40").text
    }
    #expect(tables[0].contains("within CI") || tables[0].contains("below bound"))
    #expect(tables[1] == tables[0])
    #expect(tables[2] == tables[0])
  }
}
