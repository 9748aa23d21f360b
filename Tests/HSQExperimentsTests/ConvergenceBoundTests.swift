import Foundation
import HSQ
import Testing

/// THEORY.md §6 on least squares: the observed ‖x_t − x*‖² and loss stay under the evaluated bounds.
@Suite struct ConvergenceBoundTests {
  static func config(_ compressor: String, ef: Bool, lr: Double) -> ExperimentConfig {
    var c = ExperimentConfig()
    c.dataset = "linear:d=8,n=512,n-test=64,condition=10,noise=0.1"
    c.model = "least-squares"
    c.compressor = compressor
    c.errorFeedback = ef
    c.compressThreshold = 0
    c.workers = 4
    c.batch = 16
    c.lr = lr
    c.seed = 3
    return c
  }

  static func check(_ experiment: Experiment, steps: Int) throws {
    let outcome = experiment.run(until: StopCondition(steps: steps))
    #expect(outcome.records.count == steps)
    let report = try experiment.convergenceReport()
    #expect(report.applies, "\(report.notes)")
    for record in experiment.history {
      let observed = try #require(record.distanceToOptimum)
      #expect(observed <= report.distanceBound[record.step], "step \(record.step): \(observed) > \(report.distanceBound[record.step])")
      for layer in record.layers where layer.compressed {
        // A deterministic compressor's error is its expectation; a random one's single draw may exceed the
        // expected-error bound, so there the exact expectation is held against it.
        let measured = experiment.uplink.properties.isDeterministic ? layer.observedRho : try #require(layer.exactRho)
        #expect(measured <= layer.boundRho! * (1 + 1e-6), "step \(record.step) \(layer.name)")
        let worst = try #require(layer.worstCase)
        #expect(layer.boundRho! <= worst * (1 + 1e-6) + 1e-12, "the per-vector bound is within the declared worst case")
      }
    }
    let loss = try experiment.evaluateTraining().loss
    #expect(loss <= report.lossBound.last!, "final loss \(loss) above its bound \(report.lossBound.last!)")
  }

  @Test func unbiasedHSQStaysUnderBoundII() throws {
    let experiment = try Experiment(Self.config("hsq-unbiased:dim=4,k=16,codebook=gaussian", ef: false, lr: 0.02))
    try Self.check(experiment, steps: 150)
    let report = try experiment.convergenceReport()
    #expect(report.result.contains("(ii)"))
    #expect(report.omega! > 0)
  }

  @Test func nearestNeighbourHSQWithErrorFeedbackStaysUnderBoundIII() throws {
    let experiment = try Experiment(Self.config("hsq:dim=4,k=16,codebook=gaussian,norm-bits=32", ef: true, lr: 0.05))
    try Self.check(experiment, steps: 150)
    #expect(try experiment.convergenceReport().result.contains("(iii)"))
  }

  @Test func boundSaysWhenItDoesNotApply() throws {
    var c = Self.config("hsq:dim=4,k=16,codebook=gaussian,norm-bits=32", ef: false, lr: 0.05)
    c.momentum = 0.9
    let experiment = try Experiment(c)
    try experiment.step()
    let report = try experiment.convergenceReport()
    #expect(!report.applies)
    #expect(report.notes.contains { $0.contains("momentum") })
    #expect(report.notes.contains { $0.contains("unbiased compressor") })
  }
}
