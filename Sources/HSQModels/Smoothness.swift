import HSQCore

/// The smoothness L and strong convexity μ of a convex training loss: the constants of THEORY.md §6.
///
/// ```
/// ‖∇f(x) − ∇f(y)‖ ≤ L‖x − y‖,    f(y) ≥ f(x) + ⟨∇f(x), y − x⟩ + (μ/2)‖y − x‖²
/// ```
///
/// For the linear models both come from the spectrum of `AᵀA/n`, with
/// `A = [X 1]` when the model has a bias: least squares L = λ_max, μ = λ_min;
/// logistic L = λ_max/4, μ = 0; softmax L = λ_max/2 (Böhning's bound
/// `diag(p) − ppᵀ ⪯ ½I`), μ = 0. Weight decay λ adds λ to both
/// (``adding(weightDecay:)``).
public struct Smoothness: Sendable, Hashable, CustomStringConvertible {
  /// The smoothness constant L (an upper bound on the Hessian's largest eigenvalue).
  public var L: Double
  /// The strong-convexity constant μ (0 when the loss is only convex).
  public var mu: Double
  /// Whether L and μ are exact (dense eigenvalues) rather than Lanczos estimates.
  public var isExact: Bool
  /// How they were obtained, for reports.
  public var method: String

  public init(L: Double, mu: Double, isExact: Bool, method: String) {
    self.L = L
    self.mu = mu
    self.isExact = isExact
    self.method = method
  }

  /// κ = L/μ, or `nil` when μ = 0.
  public var conditionNumber: Double? { mu > 0 ? L / mu : nil }

  /// The constants of f + (λ/2)‖x‖², the objective an optimizer with weight decay λ minimizes.
  public func adding(weightDecay lambda: Double) -> Smoothness {
    Smoothness(L: L + lambda, mu: mu + lambda, isExact: isExact, method: method + " + weight decay \(formatNumber(lambda))")
  }

  public var description: String {
    "L = \(formatNumber(L)), μ = \(formatNumber(mu))" + (isExact ? "" : " (estimates)") + " — \(method)"
  }
}

/// A minimizer of the training loss and the optimal value f*.
public struct Optimum: Sendable, Hashable {
  /// x*, shaped like the model's parameters (the minimum-norm minimizer when it is not unique).
  public var parameters: [[Float]]
  /// f(x*), the mean training loss at the minimizer, in Double.
  public var loss: Double

  public init(parameters: [[Float]], loss: Double) {
    self.parameters = parameters
    self.loss = loss
  }
}
