import Foundation

/// A strongly convex bound written as `scale·rate^T + floor`: what ``ConvergenceBounds`` evaluates, taken apart
/// so the number of steps it needs can be solved for.
public struct GeometricBound: Sendable, Hashable, Codable {
  /// The coefficient of the decaying term (‖x₀ − x*‖², or twice it for error feedback).
  public var scale: Double
  /// The contraction per step: 1 − ημ (unbiased), 1 − γμ/2 (error feedback).
  public var rate: Double
  /// What the bound tends to as T → ∞ (the noise and error-feedback terms).
  public var floor: Double

  public init(scale: Double, rate: Double, floor: Double) {
    self.scale = scale
    self.rate = rate
    self.floor = floor
  }

  /// The bound after `t` steps.
  public func value(steps t: Int) -> Double {
    scale * pow(rate, Double(t)) + floor
  }

  /// The fewest steps T with `value(steps: T) ≤ epsilon`; `nil` when no T gives it (the bound is vacuous at
  /// that target: its floor is at or above ε, or it does not contract, 0 < rate < 1 failing).
  public func steps(toReach epsilon: Double) -> Int? {
    guard epsilon > floor else { return nil }
    if scale + floor <= epsilon { return 0 }
    guard rate > 0, rate < 1 else { return nil }
    var t = Int((log((epsilon - floor) / scale) / log(rate)).rounded(.up))
    // The logarithms are rounded: step to the exact first T.
    while t > 0, value(steps: t - 1) <= epsilon { t -= 1 }
    while value(steps: t) > epsilon { t += 1 }
    return t
  }

  /// The fewest steps the decaying term alone needs to fall to `epsilon` (the floor left out): the rate part of the bound.
  public func rateSteps(toReach epsilon: Double) -> Int? {
    GeometricBound(scale: scale, rate: rate, floor: 0).steps(toReach: epsilon)
  }
}

extension ConvergenceBounds {
  /// (ii) as ``GeometricBound``: scale ‖x₀ − x*‖², rate 1 − ημ, floor ηS/(μn) with S = (1 + ω)σ².
  public static func unbiasedStronglyConvexParts(_ x: ConvergenceInputs, omega: Double) -> GeometricBound {
    let s = (1 + omega) * x.sigma2
    return GeometricBound(scale: x.initialDistance, rate: 1 - x.eta * x.mu, floor: x.eta * s / (x.mu * Double(x.workers)))
  }

  /// (iii) for the actual iterate as ``GeometricBound``: scale 2‖x₀ − x*‖², rate 1 − γμ/2,
  /// floor 2[2γM²/μ + 8(1 + 2L/μ)D] + 8D with D = (1 − δ)γ²G²/δ².
  public static func errorFeedbackStronglyConvexParts(_ x: ConvergenceInputs, delta: Double) -> GeometricBound {
    let gamma = x.eta
    let drift = (1 - delta) * gamma * gamma * x.g2 / (delta * delta)
    let floor = 2 * (2 * gamma * x.m2 / x.mu + 8 * (1 + 2 * x.L / x.mu) * drift) + 8 * drift
    return GeometricBound(scale: 2 * x.initialDistance, rate: 1 - gamma * x.mu / 2, floor: floor)
  }
}
