import Foundation

/// The measurable inputs of THEORY.md §6's convergence bounds.
public struct ConvergenceInputs: Sendable, Hashable, Codable {
  /// Smoothness L of f.
  public var L: Double
  /// Strong convexity μ of f (0 if only convex).
  public var mu: Double
  /// σ²: E‖gᵢ − ∇f‖² per worker (measured; includes the spread between workers' shards, which only loosens the bound).
  public var sigma2: Double
  /// n, workers averaged per step.
  public var workers: Int
  /// Step size η (or γ).
  public var eta: Double
  /// f(x₀) − f*.
  public var initialGap: Double
  /// ‖x₀ − x*‖².
  public var initialDistance: Double
  /// M² ≥ E‖meanᵢ gᵢ‖² (error feedback).
  public var m2: Double
  /// G² ≥ E‖gᵢ‖² (error feedback).
  public var g2: Double

  public init(L: Double, mu: Double, sigma2: Double, workers: Int, eta: Double, initialGap: Double, initialDistance: Double, m2: Double, g2: Double) {
    self.L = L
    self.mu = mu
    self.sigma2 = sigma2
    self.workers = workers
    self.eta = eta
    self.initialGap = initialGap
    self.initialDistance = initialDistance
    self.m2 = m2
    self.g2 = g2
  }
}

/// THEORY.md §6's bounds as functions of the step count T.
public enum ConvergenceBounds {
  /// The largest step size (i) and (ii) allow: 1/(L(1 + ω/n)).
  public static func maxStepUnbiased(_ x: ConvergenceInputs, omega: Double) -> Double {
    1 / (x.L * (1 + omega / Double(x.workers)))
  }

  /// (i) Unbiased, non-convex: (1/T)Σ E‖∇f(x_t)‖² ≤ 2(f(x₀) − f*)/(ηT) + LηS/n, S = (1 + ω)σ².
  public static func unbiasedNonConvex(_ x: ConvergenceInputs, omega: Double, steps t: Int) -> Double {
    let s = (1 + omega) * x.sigma2
    return 2 * x.initialGap / (x.eta * Double(max(t, 1))) + x.L * x.eta * s / Double(x.workers)
  }

  /// (ii) Unbiased, μ-strongly convex: E‖x_T − x*‖² ≤ (1 − ημ)^T‖x₀ − x*‖² + ηS/(μn).
  public static func unbiasedStronglyConvex(_ x: ConvergenceInputs, omega: Double, steps t: Int) -> Double {
    let s = (1 + omega) * x.sigma2
    return pow(1 - x.eta * x.mu, Double(t)) * x.initialDistance + x.eta * s / (x.mu * Double(x.workers))
  }

  /// (iii) Error feedback with a δ-contraction, μ-strongly convex, for the actual iterate:
  /// E‖x_T − x*‖² ≤ 2[(1 − γμ/2)^T‖x₀ − x*‖² + 2γM²/μ + 8(1 + 2L/μ)(1 − δ)γ²G²/δ²] + 8γ²(1 − δ)G²/δ².
  public static func errorFeedbackStronglyConvex(_ x: ConvergenceInputs, delta: Double, steps t: Int) -> Double {
    let gamma = x.eta
    let drift = (1 - delta) * gamma * gamma * x.g2 / (delta * delta)
    let virtual = pow(1 - gamma * x.mu / 2, Double(t)) * x.initialDistance + 2 * gamma * x.m2 / x.mu + 8 * (1 + 2 * x.L / x.mu) * drift
    return 2 * virtual + 8 * drift
  }

  /// (iii) Error feedback, non-convex: (1/T)Σ E‖∇f‖² ≤ 2(f(x₀) − f*)/(γT) + LγM² + 4L²γ²(1 − δ)G²/δ².
  public static func errorFeedbackNonConvex(_ x: ConvergenceInputs, delta: Double, steps t: Int) -> Double {
    let gamma = x.eta
    return 2 * x.initialGap / (gamma * Double(max(t, 1))) + x.L * gamma * x.m2
      + 4 * x.L * x.L * gamma * gamma * (1 - delta) * x.g2 / (delta * delta)
  }
}
