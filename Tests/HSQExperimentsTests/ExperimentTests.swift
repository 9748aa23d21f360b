import Foundation
import HSQ
import Testing

/// The experiment engine: determinism, resuming, divergence, settings between steps, exports.
@Suite struct ExperimentTests {
  static func config(_ compressor: String = "hsq:dim=8,k=32,codebook=gaussian,norm-bits=6", workers: Int = 4) -> ExperimentConfig {
    SmallExperiment.config(compressor: compressor, workers: workers, seed: 7)
  }

  @Test func sameSeedSameRecordsWhateverTheThreadCount() throws {
    var one = Self.config()
    one.threads = 1
    one.errorFeedback = true
    one.participation = 0.5
    // 46k parameters (40-1024-4): enough for the server pass to split its elements across threads too.
    one.model = "mlp:hidden=1024"
    one.momentum = 0.9
    var two = one
    two.threads = 2
    var three = one
    three.threads = 3
    let a = try Experiment(one), b = try Experiment(two), c = try Experiment(three)
    for _ in 0..<6 {
      let ra = try a.step(), rb = try b.step(), rc = try c.step()
      #expect(ra.withoutTimings == rb.withoutTimings)
      #expect(ra.withoutTimings == rc.withoutTimings)
    }
    #expect(a.parameters == b.parameters)
    #expect(a.parameters == c.parameters)
    #expect(a.history.last!.bitsUp > 0)
  }

  @Test func savedExperimentResumesBitIdentically() throws {
    var c = Self.config()
    c.errorFeedback = true
    c.momentum = 0.9
    try SmallExperiment.expectResumesBitIdentically(c, steps: 8, saveAt: 4)
  }

  @Test func divergenceStopsBeforeTheBadStepAndKeepsState() throws {
    var c = Self.config("identity")
    c.lr = 1e6
    let experiment = try Experiment(c)
    let outcome = experiment.run(until: StopCondition(steps: 50))
    guard case let .diverged(message) = outcome.reason else {
      Issue.record("expected divergence, got \(outcome.reason)")
      return
    }
    #expect(message.contains("lower 'lr'"))
    #expect(experiment.stepCount == outcome.records.count)
    #expect(experiment.parameters.allSatisfy { $0.allSatisfy(\.isFinite) })
    // The state is from before the update that blew up: the same settings diverge again, back to the same state.
    let stepsBefore = experiment.stepCount, parametersBefore = experiment.parameters
    #expect(experiment.run(until: StopCondition(steps: 50)).reason == outcome.reason)
    #expect(experiment.stepCount == stepsBefore)
    #expect(experiment.parameters == parametersBefore)
    #expect(experiment.history.count == stepsBefore)
  }

  @Test func settingsBetweenStepsAreRecordedAndProblemSettingsAreFixed() throws {
    let experiment = try Experiment(Self.config())
    try experiment.step()
    try experiment.set("compressor", to: "hsq-unbiased:dim=8,k=32,codebook=gaussian")
    try experiment.step()
    #expect(experiment.events.map(\.text) == ["compressor: hsq:dim=8,k=32,codebook=gaussian,norm-bits=6 → hsq-unbiased:dim=8,k=32,codebook=gaussian"])
    #expect(experiment.events.first?.step == 1)
    #expect(throws: HSQError.self) { try experiment.set("workers", to: "3") }
    #expect(throws: HSQError.self) { try experiment.set("compresor", to: "hsq") }
    #expect(throws: HSQError.self) { try experiment.set("compressor", to: "hsqq") }
    #expect(experiment.config.compressor == "hsq-unbiased:dim=8,k=32,codebook=gaussian")
    #expect(throws: HSQError.self) { try experiment.set("lr", to: "-1") }
  }

  @Test func bitsAreCountedFromPayloads() throws {
    let experiment = try Experiment(Self.config("hsq:dim=8,k=32,codebook=gaussian,norm-bits=6"))
    let record = try experiment.step()
    var expected = 0
    for layer in experiment.model.layers {
      let perWorker = layer.count > 100 ? (layer.count + 7) / 8 * (5 + 7) + 64 : 32 * layer.count
      expected += 4 * perWorker
    }
    #expect(record.bitsUp == expected)
    #expect(record.cumulativeBitsUp == expected)
    #expect(record.bitsDown == experiment.model.parameterCount * 32)
  }

  @Test func observedErrorNeverExceedsTheDeclaredBound() throws {
    let experiment = try Experiment(Self.config("hsq:dim=8,k=32,codebook=gaussian,norm-bits=32"))
    for record in experiment.run(until: StopCondition(steps: 5)).records {
      for layer in record.layers where layer.compressed {
        let bound = try #require(layer.boundRho)
        #expect(layer.observedRho <= bound * (1 + 1e-5), "step \(record.step) layer \(layer.name)")
        #expect(abs(layer.observedRho - layer.exactRho!) <= 1e-5, "deterministic hsq: observed = exact")
      }
    }
  }

  @Test func monteCarloCheckAgreesWithExactVariance() throws {
    let experiment = try Experiment(Self.config("hsq-unbiased:dim=8,k=32,codebook=gaussian"))
    #expect(throws: HSQError.self) { try experiment.monteCarloCheck(samples: 50) }
    try experiment.step()
    let checks = try experiment.monteCarloCheck(samples: 400, z: 5)
    #expect(!checks.isEmpty)
    for check in checks {
      #expect(check.verdict == "within CI", "\(check)")
    }
  }

  @Test func metricsExportAsCSVAndJSONLines() throws {
    var c = Self.config()
    c.evalEvery = 2
    let experiment = try Experiment(c)
    _ = experiment.run(until: StopCondition(steps: 4))
    let table = MetricsTable(experiment.history)
    let lines = table.csv.split(separator: "\n")
    #expect(lines.count == 5)
    #expect(lines[0].hasPrefix("step,epoch,lr,train_loss,test_loss,test_accuracy"))
    #expect(lines[1].split(separator: ",", omittingEmptySubsequences: false).count == table.columns.count)
    for line in table.jsonLines.split(separator: "\n") {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      #expect(object?["step"] != nil)
    }
    #expect(throws: HSQError.self) { try table.write(to: "/tmp/metrics.xlsx") }
  }
}
