import HSQCore

/// FedAdam: Adam on the server over the aggregated updates (Reddi et al. 2021, Algorithm 2).
///
/// ```
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// x ← x − η·m / (√v + τ)
/// ```
///
/// m starts at 0 and v at τ² (the paper's v₋₁ ≥ τ²); as in the paper there is no bias correction unless
/// `bias-correction=true`, which multiplies η by √(1 − β₂ᵗ)/(1 − β₁ᵗ) at step t and starts v at 0.
/// η follows the `lr-decay` schedule. g is the aggregate (plus λx for `weight-decay` under protocol
/// `gradient`); under protocol `local` it is the averaged delta x − x_local, the paper's −Δ.
///
/// **State:** `m` and `v`. Outside THEORY.md's bounds (they are for SGD).
///
/// - Parameter lr: η, the server learning rate (default 0.01).
/// - Parameter beta1: β₁, 0 ≤ β₁ < 1 (default 0.9, the paper's).
/// - Parameter beta2: β₂, 0 ≤ β₂ < 1 (default 0.99, the paper's).
/// - Parameter tau: τ, the adaptivity floor (default 10⁻³, the paper's).
/// - Parameter bias-correction: Adam's correction of η (default false, as in the paper).
///
/// Reference: S. J. Reddi, Z. Charles, M. Zaheer, Z. Garrett, K. Rush, J. Konečný, S. Kumar, H. B. McMahan,
/// "Adaptive Federated Optimization", ICLR 2021.
public struct FedAdamOptimizer: ServerOptimizerComponent {
  public static let info = ComponentInfo(
    kind: .serverOptimizer, name: "fedadam", parameters: AdaptiveServerStep.parameters(beta2: true, biasCorrection: true))

  let rule: AdaptiveServerStep

  public init(_ parameters: ParameterValues) throws { rule = AdaptiveServerStep(.adam, parameters) }

  public var spec: String { rule.spec(Self.info.name) }
  public var stateSlots: [ServerStateSlot] { rule.slots }

  public func step(_ g: [Float], parameters x: inout [Float], state: inout [[Float]], context: ServerStepContext) {
    rule.step(g, parameters: &x, state: &state, context: context)
  }
}
