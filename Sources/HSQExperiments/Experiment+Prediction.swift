import HSQCore

/// THEORY.md §6's prediction of the iterations to ‖x − x*‖² ≤ ε for one experiment's setting.
public struct ConvergencePrediction: Sendable, Codable {
  /// The bound, its measured constants and whether its assumptions hold.
  public var report: ConvergenceReport
  /// The bound taken apart: scale·rate^T + floor.
  public var bound: GeometricBound
  public var epsilon: Double
  /// The fewest T the bound guarantees ε at; `nil` when it is vacuous there (floor ≥ ε).
  public var steps: Int?
  /// The fewest T its decaying term alone needs (the floor left out): what the rate predicts if the noise were negligible.
  public var rateSteps: Int?
}

extension Experiment {
  /// The iterations THEORY.md §6 predicts to ‖x − x*‖² ≤ `epsilon` from the measured L, μ, σ², M², G² and the
  /// compressor's declared ω (bound (ii), unbiased without error feedback) or δ (bound (iii), error feedback).
  ///
  /// The constants are measured as ``convergenceReport(steps:samples:)`` does: at x₀ and the current iterate,
  /// each raised by 3 standard errors. Call it on a fresh experiment to predict a run from x₀.
  ///
  /// - Throws: for a model without a closed-form optimum and smoothness constants.
  public func prediction(toReach epsilon: Double, samples: Int = 256) throws -> ConvergencePrediction {
    let report = try convergenceReport(steps: 1, samples: samples)
    let bound = config.errorFeedback
      ? ConvergenceBounds.errorFeedbackStronglyConvexParts(report.inputs, delta: report.delta ?? 1)
      : ConvergenceBounds.unbiasedStronglyConvexParts(report.inputs, omega: report.omega ?? 0)
    return ConvergencePrediction(
      report: report, bound: bound, epsilon: epsilon, steps: bound.steps(toReach: epsilon), rateSteps: bound.rateSteps(toReach: epsilon))
  }
}
