/// The server-optimizer file `hsq-new-compressor --kind server-optimizer` writes: a complete, documented
/// server optimizer that passes hsq's server-optimizer contract, to be edited into a new one. `__Type__` and
/// `__name__` are replaced.
let serverOptimizerTemplate = #"""
import HSQ

/// Signum on the server: momentum over the aggregated updates, and a step of fixed size along its sign.
///
/// ```
/// m ← β·m + (1 − β)·g
/// x ← x − η·sign(m)        (sign(0) = 0)
/// ```
///
/// Written by `swift package hsq-new-compressor __Type__ --kind server-optimizer` as a starting point:
/// replace the maths, keep the shape. Each member is a hook hsq reads — `info` for help and parameters,
/// `spec` to rebuild it, `stateSlots` for checkpoints and rollbacks, `step` for the server
/// (`check __name__` runs the contract on it).
///
/// η follows the experiment's `lr-decay` schedule (`context.scheduleFactor`). Every coordinate moves by η
/// or not at all, whatever the update's scale: a step size like fedadam's, not like `lr`'s.
///
/// **State:** `m`, starting at 0.
///
/// Parameters: `lr` (η, default 0.001), `beta` (β, 0 ≤ β < 1, default 0.9).
public struct __Type__: ServerOptimizerComponent {
  /// What `help __name__` prints, and the parameters `__name__:lr=0.01` is parsed against.
  public static let info = ComponentInfo(
    kind: .serverOptimizer, name: "__name__",
    summary: "Signum on the server: momentum over the aggregated updates, and a fixed-size step along its sign.",
    doc: "m ← β·m + (1 − β)·g, x ← x − η·sign(m). State: m, starting at 0.",
    parameters: [
      .double("lr", 0...1e6, default: 0.001, doc: "The step η every coordinate takes."),
      .double("beta", 0...0.999999, default: 0.9, doc: "The momentum β, 0 ≤ β < 1."),
    ])

  public let lr: Double
  public let beta: Double

  public init(_ parameters: ParameterValues) throws {
    lr = parameters.double("lr")
    beta = parameters.double("beta")
  }

  /// The canonical spelling: `setting server-optimizer=…` and checkpoints rebuild the optimizer from it.
  public var spec: String { "__name__:lr=\(formatNumber(lr)),beta=\(formatNumber(beta))" }

  /// One buffer per slot and layer, saved in checkpoints as `serverState.m.LAYER`.
  public var stateSlots: [ServerStateSlot] { [ServerStateSlot("m")] }

  /// One layer's step: `g` is the aggregate, `state[0]` this layer's m.
  public func step(_ g: [Float], parameters x: inout [Float], state: inout [[Float]], context: ServerStepContext) {
    let eta = Float(lr * context.scheduleFactor), b = Float(beta)
    for i in x.indices {
      state[0][i] = b * state[0][i] + (1 - b) * g[i]
      let m = state[0][i]
      x[i] -= m > 0 ? eta : m < 0 ? -eta : 0
    }
  }
}

/// `load` calls this after opening the compiled file: it registers the server optimizer by name.
@_cdecl("hsq_register")
public func hsqRegister() {
  AddOnRegistration.run { try ServerOptimizers.register(__Type__.self) }
}

"""#

/// The test file written next to a server optimizer: hsq's server-optimizer contract, run by `swift test`.
let serverOptimizerContractTestTemplate = #"""
import HSQ
import HSQContract
import Testing
__imports__
// hsq's server-optimizer contract for __Type__: the checks every built-in passes in hsq's own tests and
// `check __name__` runs in hsq-repl. Put this file in a test target that depends on hsq's
// `HSQContract` product and on the target that holds __Type__.swift.

/// Registers __Type__ once for all tests (the registry is process-wide).
private let registration = Result { try ServerOptimizers.register(__Type__.self) }

@Suite("__Type__ holds hsq's server-optimizer contract")
struct __Type__ContractTests {
  @Test("every contract check passes", arguments: ["__name__", "__name__:lr=0.1,beta=0", "__name__:lr=1e-6,beta=0.99"])
  func contract(spec: String) throws {
    try registration.get()
    for result in try ServerOptimizerContract.check(spec) {
      #expect(result.passed, "\(spec): \(result.name): \(result.detail)")
    }
  }
}

"""#
