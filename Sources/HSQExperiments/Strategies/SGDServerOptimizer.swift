import HSQCore

/// SGD with heavy-ball momentum, weight decay and the learning-rate schedule: what the server has always done, and the default.
///
/// ```
/// v ← μ·v + (g + λ·x)
/// x ← x − η·v
/// ```
///
/// η is the `lr` setting with its `lr-decay` schedule, μ the `momentum` setting and λ the `weight-decay`
/// setting; under protocol `local` the workers take the SGD steps with `lr` and their own weight decay, and
/// the server takes the averaged delta with η = 1 and λ = 0 (FedAvg, with server momentum when μ > 0).
/// With the `mean` aggregator the experiment runs this rule fused with the mean in one pass over memory.
///
/// **State:** `velocity` (v), starting at 0.
public struct SGDServerOptimizer: ServerOptimizerComponent {
  public static let info = ComponentInfo(kind: .serverOptimizer, name: "sgd")

  public init(_ parameters: ParameterValues) throws {}
  public init() {}

  public var spec: String { "sgd" }
  public var stateSlots: [ServerStateSlot] { [ServerStateSlot("velocity")] }

  /// The rule on one layer, with g already holding λ·x (the experiment adds it, as the fused pass does).
  public func step(_ g: [Float], parameters x: inout [Float], state: inout [[Float]], context: ServerStepContext) {
    let rule = UpdateRule(rate: Float(context.learningRate), decay: 0, momentum: Float(context.momentum))
    g.withUnsafeBufferPointer { g in
      x.withUnsafeMutableBufferPointer { x in
        state[0].withUnsafeMutableBufferPointer { v in
          precondition(g.count == x.count && v.count == x.count, "sgd: the update, parameters and velocity differ in length")
          guard let xs = x.baseAddress else { return }
          rule.apply(g.baseAddress!, xs, v.baseAddress!, 0..<x.count)
        }
      }
    }
  }
}
