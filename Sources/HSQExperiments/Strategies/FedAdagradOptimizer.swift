import HSQCore

/// FedAdagrad: Adagrad on the server, the second moment summing every squared update (Reddi et al. 2021, Algorithm 2).
///
/// ```
/// m ← β₁·m + (1 − β₁)·g
/// v ← v + g²
/// x ← x − η·m / (√v + τ)
/// ```
///
/// The steps shrink as v accumulates. m starts at 0 and v at τ² (the paper's v₋₁ ≥ τ²); η follows the
/// `lr-decay` schedule. β₁ = 0 gives plain Adagrad.
///
/// **State:** `m` and `v`. Outside THEORY.md's bounds (they are for SGD).
///
/// - Parameter lr: η, the server learning rate (default 0.01).
/// - Parameter beta1: β₁, 0 ≤ β₁ < 1 (default 0.9, the paper's).
/// - Parameter tau: τ, the adaptivity floor (default 10⁻³, the paper's).
///
/// Reference: S. J. Reddi et al., "Adaptive Federated Optimization", ICLR 2021.
public struct FedAdagradOptimizer: ServerOptimizerComponent {
  public static let info = ComponentInfo(
    kind: .serverOptimizer, name: "fedadagrad", parameters: AdaptiveServerStep.parameters(beta2: false, biasCorrection: false))

  let rule: AdaptiveServerStep

  public init(_ parameters: ParameterValues) throws { rule = AdaptiveServerStep(.adagrad, parameters) }

  public var spec: String { rule.spec(Self.info.name) }
  public var stateSlots: [ServerStateSlot] { rule.slots }

  public func step(_ g: [Float], parameters x: inout [Float], state: inout [[Float]], context: ServerStepContext) {
    rule.step(g, parameters: &x, state: &state, context: context)
  }
}
