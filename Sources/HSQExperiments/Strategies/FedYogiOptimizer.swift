import HSQCore

/// FedYogi: Yogi on the server, whose second moment grows or shrinks additively (Reddi et al. 2021, Algorithm 2).
///
/// ```
/// m ← β₁·m + (1 − β₁)·g
/// v ← v − (1 − β₂)·g²·sign(v − g²)
/// x ← x − η·m / (√v + τ)
/// ```
///
/// Unlike Adam's, v moves by at most (1 − β₂)·g² a step, so a burst of large updates does not shrink
/// the steps as abruptly. m starts at 0 and v at τ² (the paper's v₋₁ ≥ τ²); no bias correction unless
/// `bias-correction=true` (η·√(1 − β₂ᵗ)/(1 − β₁ᵗ), v from 0). η follows the `lr-decay` schedule.
///
/// **State:** `m` and `v`. Outside THEORY.md's bounds (they are for SGD).
///
/// - Parameter lr: η, the server learning rate (default 0.01).
/// - Parameter beta1: β₁, 0 ≤ β₁ < 1 (default 0.9, the paper's).
/// - Parameter beta2: β₂, 0 ≤ β₂ < 1 (default 0.99, the paper's).
/// - Parameter tau: τ, the adaptivity floor (default 10⁻³, the paper's).
/// - Parameter bias-correction: Adam's correction of η (default false, as in the paper).
///
/// Reference: S. J. Reddi et al., "Adaptive Federated Optimization", ICLR 2021; M. Zaheer et al.,
/// "Adaptive Methods for Nonconvex Optimization", NeurIPS 2018 (Yogi).
public struct FedYogiOptimizer: ServerOptimizerComponent {
  public static let info = ComponentInfo(
    kind: .serverOptimizer, name: "fedyogi", parameters: AdaptiveServerStep.parameters(beta2: true, biasCorrection: true))

  let rule: AdaptiveServerStep

  public init(_ parameters: ParameterValues) throws { rule = AdaptiveServerStep(.yogi, parameters) }

  public var spec: String { rule.spec(Self.info.name) }
  public var stateSlots: [ServerStateSlot] { rule.slots }

  public func step(_ g: [Float], parameters x: inout [Float], state: inout [[Float]], context: ServerStepContext) {
    rule.step(g, parameters: &x, state: &state, context: context)
  }
}
