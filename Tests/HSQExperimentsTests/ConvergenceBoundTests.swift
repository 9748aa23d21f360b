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

  /// Seeds averaged over: each its own x₀, batches and compressor draws, on the same data and x*.
  static let seeds = 32
  /// Steps at which the mean distance is held against the bound.
  static let checkpoints = [1, 10, 50, 150]

  /// Runs `config` under every seed for 150 steps and holds the mean over seeds against the bounds.
  ///
  /// The bounds are on E‖x_t − x*‖² and E f(x_t), so what is compared is the mean over seeds of
  /// observed − bound (each seed's bound uses its own x₀ and measured constants), which has
  /// expectation ≤ 0: it must be at most k = 5 standard errors. With 32 seeds the standard
  /// error is itself estimated (Student t, 31 degrees of freedom): P(t₃₁ > 5) ≈ 1·10⁻⁵ per
  /// comparison, 5·10⁻⁵ for the five comparisons of a test (union bound).
  ///
  /// - Returns: the reports, one per seed.
  static func checkMeanOverSeeds(_ base: ExperimentConfig, steps: Int = 150) throws -> [ConvergenceReport] {
    var gaps = [[Double]](repeating: [], count: checkpoints.count + 1)
    var reports: [ConvergenceReport] = []
    for seed in 0..<seeds {
      var config = base
      config.seed = UInt64(seed)
      let experiment = try Experiment(config)
      let outcome = experiment.run(until: StopCondition(steps: steps))
      try #require(outcome.records.count == steps)
      let report = try experiment.convergenceReport()
      #expect(report.applies, "\(report.notes)")
      #expect(report.distanceBound.allSatisfy(\.isFinite) && report.lossBound.allSatisfy(\.isFinite), "seed \(seed)")
      try checkLayers(experiment)
      for (j, t) in checkpoints.enumerated() {
        gaps[j].append(try #require(experiment.history[t - 1].distanceToOptimum) - report.distanceBound[t])
      }
      gaps[checkpoints.count].append(try experiment.evaluateTraining().loss - report.lossBound[steps])
      reports.append(report)
    }
    for (j, gap) in gaps.enumerated() {
      let n = Double(gap.count), mean = gap.reduce(0, +) / n
      let se = (gap.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) / n).squareRoot()
      let what = j < checkpoints.count ? "‖x_t − x*‖² at step \(checkpoints[j])" : "final loss"
      #expect(mean <= 5 * se, "\(what): mean over \(seeds) seeds exceeds the bound by \(mean) (SE \(se))")
    }
    return reports
  }

  /// The per-step ρ of each compressed layer against its bound: exact expectations, no statistics.
  static func checkLayers(_ experiment: Experiment) throws {
    for record in experiment.history {
      for layer in record.layers where layer.compressed {
        // A deterministic compressor's error is its expectation; a random one's single draw may exceed the
        // expected-error bound, so there the exact expectation is held against it.
        let measured = experiment.uplink.properties.isDeterministic ? layer.observedRho : try #require(layer.exactRho)
        #expect(measured <= layer.boundRho! * (1 + 1e-6), "step \(record.step) \(layer.name)")
        let worst = try #require(layer.worstCase)
        #expect(layer.boundRho! <= worst * (1 + 1e-6) + 1e-12, "the per-vector bound is within the declared worst case")
      }
    }
  }

  /// (ii) is informative here: (1 − ημ)^T·‖x₀ − x*‖² + ηS/(μn) falls below the start.
  @Test func unbiasedHSQStaysUnderBoundII() throws {
    let reports = try Self.checkMeanOverSeeds(Self.config("hsq-unbiased:dim=4,k=16,codebook=gaussian", ef: false, lr: 0.02))
    for report in reports {
      #expect(report.result.contains("(ii)"))
      #expect(report.omega! > 0)
      let start = report.inputs.initialDistance
      #expect(report.distanceBound.last! < start, "uninformative: the bound ends at \(report.distanceBound.last!) from \(start)")
    }
  }

  @Test func nearestNeighbourHSQWithErrorFeedbackStaysUnderBoundIII() throws {
    let reports = try Self.checkMeanOverSeeds(Self.config("hsq:dim=4,k=16,codebook=gaussian,norm-bits=32", ef: true, lr: 0.05))
    for report in reports { #expect(report.result.contains("(iii)")) }
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
