import HSQCompressors
import HSQCore
import HSQModels

/// THEORY.md §6's bound for this experiment, evaluated with measured constants, next to what was observed.
public struct ConvergenceReport: Sendable, Codable {
  /// Which result: `unbiased, strongly convex (ii)` or `error feedback, strongly convex (iii)`.
  public var result: String
  public var inputs: ConvergenceInputs
  /// The compressor's worst-case ω (unbiased) or δ (contraction) over the compressed layers.
  public var omega: Double?
  public var delta: Double?
  /// f*, the optimal training loss.
  public var optimalLoss: Double
  /// False when the run is outside the theorem's assumptions; `notes` say why.
  public var applies: Bool
  public var notes: [String]
  /// The bound on E‖x_t − x*‖² for t = 0…T.
  public var distanceBound: [Double]
  /// f* + (L/2)·distanceBound: a bound on E f(x_t), since f(x) − f* ≤ (L/2)‖x − x*‖² for L-smooth f.
  public var lossBound: [Double]
}

extension Experiment {
  /// Evaluates the convergence bound for a convex model (least squares, or any model with a closed-form optimum and μ > 0).
  ///
  /// σ², M² and G² are measured at x₀ and at the current iterate with `samples`
  /// minibatch gradients each; each estimate is raised by 3 standard errors and
  /// the larger point is kept, so the constants err on the safe side.
  ///
  /// - Parameter steps: T; defaults to the steps taken so far (at least 1).
  /// - Throws: for a model without a closed-form optimum or smoothness constants.
  public func convergenceReport(steps: Int? = nil, samples: Int = 256) throws -> ConvergenceReport {
    let model = pipeline.model
    let train = pipeline.dataset.train
    guard let smoothness = try model.smoothness(on: train), let optimum = try closedFormOptimum() else {
      throw HSQError.invalidState("'\(model.spec)' has no closed-form optimum and smoothness constants; convergence bounds need a convex model such as least-squares.")
    }
    let inputs = try convergenceInputs(smoothness: smoothness, optimum: optimum, samples: samples)
    var (applies, notes) = settingCaveats(mu: smoothness.mu)

    let guarantees = model.layers.enumerated().filter { pipeline.compressLayer[$0.offset] }.map { pipeline.uplink.guarantee(length: $0.element.count) }
    var omega: Double?, delta: Double?
    var result: String
    let T = max(1, steps ?? stepCount)
    var distance: [Double]
    if config.errorFeedback {
      result = "error feedback, strongly convex (iii)"
      let worst = errorFeedbackBound(guarantees, inputs, mu: smoothness.mu, applies: &applies, notes: &notes)
      delta = worst
      distance = (0...T).map { ConvergenceBounds.errorFeedbackStronglyConvex(inputs, delta: worst, steps: $0) }
    } else {
      result = "unbiased, strongly convex (ii)"
      let worst = unbiasedBound(guarantees, inputs, applies: &applies, notes: &notes)
      omega = worst
      distance = (0...T).map { ConvergenceBounds.unbiasedStronglyConvex(inputs, omega: worst, steps: $0) }
    }
    var unique: [String] = []
    for note in notes where !unique.contains(note) { unique.append(note) }
    return ConvergenceReport(
      result: result, inputs: inputs, omega: omega, delta: delta, optimalLoss: optimum.loss, applies: applies, notes: unique,
      distanceBound: distance, lossBound: distance.map { optimum.loss + smoothness.L / 2 * $0 })
  }

  /// The theory's inputs: L and μ, the noise constants measured with `samples` minibatch gradients, η,
  /// and the starting gap and distance to the optimum.
  private func convergenceInputs(smoothness: Smoothness, optimum: Optimum, samples: Int) throws -> ConvergenceInputs {
    let train = pipeline.dataset.train
    let n = Set(history.map(\.participants)).max() ?? max(1, Int((config.participation * Double(config.workers)).rounded(.up)))
    let workers = min(n, config.workers)
    let (sigma2, g2, m2) = try noiseConstants(samples: samples, workers: workers)
    let f0 = try pipeline.model.evaluate(parameters: initialParameters, examples: train, workspace: serverWorkspace).loss
    var x0Distance = 0.0
    for l in 0..<initialParameters.count { x0Distance += Vec.squaredDistance(initialParameters[l], optimum.parameters[l]) }
    return ConvergenceInputs(
      L: smoothness.L, mu: smoothness.mu, sigma2: sigma2, workers: workers, eta: config.lr,
      initialGap: max(0, f0 - optimum.loss), initialDistance: x0Distance, m2: m2, g2: g2)
  }

  /// Whether the bound applies to the experiment's settings, and a note for each it does not cover.
  private func settingCaveats(mu: Double) -> (applies: Bool, notes: [String]) {
    var notes: [String] = []
    var applies = true
    if config.momentum != 0 { applies = false; notes.append("momentum \(formatNumber(config.momentum)) is outside the theory (it assumes plain SGD).") }
    let strategy = strategyCaveats
    if !strategy.isEmpty { applies = false; notes += strategy }
    if config.weightDecay != 0 { applies = false; notes.append("weight decay changes the objective; the bound is for the plain loss.") }
    if config.protocolName != .gradient { applies = false; notes.append("the bound is for the per-step gradient protocol.") }
    let behaviour = ClientBehaviour(config)
    if behaviour.byzantineCount > 0 {
      applies = false
      notes.append("\(behaviour.byzantineCount) Byzantine worker\(behaviour.byzantineCount == 1 ? "" : "s"): the theory assumes honest workers.")
    }
    if config.lrDecayEvery > 0, config.lrDecay < 1 { notes.append("the learning rate decays; the bound uses the initial lr.") }
    if mu <= 0 { applies = false; notes.append("μ = 0: a distance bound needs a strongly convex loss.") }
    return (applies, notes)
  }

  /// The worst δ of the compressed layers for bound (iii), noting what (iii) does not cover:
  /// a compressor that is not a δ-contraction, or γ = lr at or above 2/μ.
  private func errorFeedbackBound(
    _ guarantees: [Guarantee], _ inputs: ConvergenceInputs, mu: Double, applies: inout Bool, notes: inout [String]
  ) -> Double {
    var worst = 1.0
    for g in guarantees {
      switch g {
      case let .contraction(d): worst = min(worst, d)
      case let .unbiased(w) where w == 0: continue
      default:
        applies = false
        notes.append("error feedback needs a δ-contraction; '\(pipeline.uplink.spec)' declares \(g.kindName).")
      }
    }
    if config.lr >= 2 / max(mu, 1e-300) { applies = false; notes.append("γ = lr must be below 2/μ.") }
    return worst
  }

  /// The worst ω of the compressed layers for bound (ii), noting what (ii) does not cover:
  /// a compressor that is not unbiased, or η = lr above 1/(L(1 + ω/n)).
  private func unbiasedBound(_ guarantees: [Guarantee], _ inputs: ConvergenceInputs, applies: inout Bool, notes: inout [String]) -> Double {
    var worst = 0.0
    for g in guarantees {
      switch g {
      case let .unbiased(w): worst = max(worst, w)
      default:
        applies = false
        notes.append("without error feedback the bound needs an unbiased compressor; '\(pipeline.uplink.spec)' is a \(g.kindName).")
      }
    }
    let maxStep = ConvergenceBounds.maxStepUnbiased(inputs, omega: worst)
    if config.lr > maxStep { applies = false; notes.append("η = lr must be at most 1/(L(1 + ω/n)) = \(formatNumber(maxStep)).") }
    return worst
  }

  /// σ² = E‖gᵢ − ∇f‖², G² = E‖gᵢ‖² and M² = ‖∇f‖² + σ²/n, each an upper estimate (mean + 3 SE), the larger of x₀ and x_t.
  func noiseConstants(samples: Int, workers: Int) throws -> (sigma2: Double, g2: Double, m2: Double) {
    let model = pipeline.model
    var sigma2 = 0.0, g2 = 0.0, m2 = 0.0
    for (p, x) in [initialParameters, parameters].enumerated() {
      let full = try model.lossAndGradient(parameters: x, batch: pipeline.dataset.train).gradient
      let fullNorm = full.reduce(0.0) { $0 + Vec.squaredNorm($1) }
      var deviations: [Double] = [], norms: [Double] = []
      for r in 0..<samples {
        let w = r % config.workers
        let batch = WorkerState.batch(
          from: pipeline.dataset.train, shard: pipeline.shards[w], config: config, worker: w, step: -1 - r - samples * p, localStep: 0)
        let g = try model.lossAndGradient(parameters: x, batch: batch).gradient
        var dev = 0.0, norm = 0.0
        for l in 0..<g.count { dev += Vec.squaredDistance(g[l], full[l]); norm += Vec.squaredNorm(g[l]) }
        deviations.append(dev)
        norms.append(norm)
      }
      let s = upperEstimate(deviations), g = upperEstimate(norms)
      sigma2 = max(sigma2, s)
      g2 = max(g2, g)
      m2 = max(m2, fullNorm + s / Double(max(workers, 1)))
    }
    return (sigma2, g2, m2)
  }
}

/// Mean + 3 standard errors.
func upperEstimate(_ xs: [Double]) -> Double {
  let n = Double(xs.count)
  let mean = xs.reduce(0, +) / n
  let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / max(1, n - 1)
  return mean + 3 * (variance / n).squareRoot()
}
