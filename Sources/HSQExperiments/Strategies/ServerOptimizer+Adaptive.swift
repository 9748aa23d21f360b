import Foundation
import HSQCore

/// The adaptive server optimizers of Reddi et al. 2021 (Algorithm 2): one first moment, a second moment
/// updated as Adagrad, Adam or Yogi do, and a step scaled per coordinate.
///
/// ```
/// m ← β₁·m + (1 − β₁)·g
/// v ← v + g²                                   FedAdagrad
/// v ← β₂·v + (1 − β₂)·g²                       FedAdam
/// v ← v − (1 − β₂)·g²·sign(v − g²)             FedYogi
/// x ← x − η·m / (√v + τ)
/// ```
///
/// The paper's Δ is the averaged client delta x_local − x and its update is x + η·m/(√v + τ); hsq's g is the
/// negative of Δ (workers send x − x_local, or a gradient), so m changes sign, v does not, and the step is the
/// same. The paper starts from m₋₁ = 0 and v₋₁ ≥ τ²; hsq starts v at τ² exactly, and the paper applies no bias
/// correction. `bias-correction=true` (FedAdam and FedYogi) multiplies η by √(1 − β₂ᵗ)/(1 − β₁ᵗ) at step t
/// (as Adam and Flower do) — then v starts at 0, Adam's own start.
struct AdaptiveServerStep: Sendable, Hashable {
  enum SecondMoment: Sendable, Hashable {
    case adagrad, adam, yogi
  }

  let rule: SecondMoment
  let lr: Double
  let beta1: Double
  let beta2: Double
  let tau: Double
  let biasCorrection: Bool

  /// The state: m from 0, v from τ² (the paper's v₋₁), or 0 with bias correction.
  var slots: [ServerStateSlot] {
    [ServerStateSlot("m"), ServerStateSlot("v", initial: biasCorrection ? 0 : Float(tau * tau))]
  }

  /// η at the step after `completed` steps: the schedule's factor, and with bias correction √(1 − β₂ᵗ)/(1 − β₁ᵗ), t = completed + 1.
  func stepSize(_ context: ServerStepContext) -> Float {
    var eta = lr * context.scheduleFactor
    if biasCorrection {
      let t = Double(context.completedSteps + 1)
      eta *= (1 - pow(beta2, t)).squareRoot() / (1 - pow(beta1, t))
    }
    return Float(eta)
  }

  func step(_ g: [Float], parameters x: inout [Float], state: inout [[Float]], context: ServerStepContext) {
    precondition(state.count == 2 && state[0].count == x.count && state[1].count == x.count && g.count == x.count,
                 "adaptive server step: the update, parameters, m and v differ in length")
    let b1 = Float(beta1), c1 = Float(1 - beta1), b2 = Float(beta2), c2 = Float(1 - beta2), t = Float(tau)
    let eta = stepSize(context)
    let rule = rule
    // m and v leave the state array while the loop writes them (two buffers of one array cannot be borrowed at once).
    var first: [Float] = [], second: [Float] = []
    swap(&first, &state[0])
    swap(&second, &state[1])
    defer {
      swap(&first, &state[0])
      swap(&second, &state[1])
    }
    g.withUnsafeBufferPointer { g in
      x.withUnsafeMutableBufferPointer { x in
        first.withUnsafeMutableBufferPointer { m in
          second.withUnsafeMutableBufferPointer { v in
            for i in 0..<x.count {
              let gi = g[i], g2 = gi * gi
              m[i] = b1 * m[i] + c1 * gi
              switch rule {
              case .adagrad: v[i] = v[i] + g2
              case .adam: v[i] = b2 * v[i] + c2 * g2
              case .yogi:
                let sign: Float = v[i] > g2 ? 1 : v[i] < g2 ? -1 : 0
                v[i] = v[i] - c2 * g2 * sign
              }
              x[i] = x[i] - eta * m[i] / (v[i].squareRoot() + t)
            }
          }
        }
      }
    }
  }

  /// The parameters every adaptive optimizer declares; `beta2` and `bias-correction` where the rule uses them.
  static func parameters(beta2: Bool, biasCorrection: Bool) -> [ParameterSpec] {
    [.double("lr", 0...1e6, default: 0.01, doc: "The server learning rate η (Reddi et al. tune it on a grid; 0.01 is a usual start).")]
      + [.double("beta1", 0...0.999999, default: 0.9, doc: "β₁, the first moment's decay, 0 ≤ β₁ < 1 (the paper's 0.9).")]
      + (beta2 ? [.double("beta2", 0...0.999999, default: 0.99, doc: "β₂, the second moment's decay, 0 ≤ β₂ < 1 (the paper's 0.99).")] : [])
      + [.double("tau", 1e-12...1e3, default: 1e-3, doc: "τ, the adaptivity floor added to √v (the paper's default 10⁻³).")]
      + (biasCorrection ? [.bool("bias-correction", default: false, doc: "Multiply η by √(1 − β₂ᵗ)/(1 − β₁ᵗ) and start v at 0 (Adam's correction; the paper has none).")] : [])
  }

  init(_ rule: SecondMoment, _ p: ParameterValues) {
    self.rule = rule
    lr = p.double("lr")
    beta1 = p.double("beta1")
    beta2 = rule == .adagrad ? 0 : p.double("beta2")
    tau = p.double("tau")
    biasCorrection = rule == .adagrad ? false : p.bool("bias-correction")
  }

  /// `name:lr=…,beta1=…[,beta2=…],tau=…[,bias-correction=true]`.
  func spec(_ name: String) -> String {
    var parts = ["lr=\(formatNumber(lr))", "beta1=\(formatNumber(beta1))"]
    if rule != .adagrad { parts.append("beta2=\(formatNumber(beta2))") }
    parts.append("tau=\(formatNumber(tau))")
    if biasCorrection { parts.append("bias-correction=true") }
    return name + ":" + parts.joined(separator: ",")
  }
}
