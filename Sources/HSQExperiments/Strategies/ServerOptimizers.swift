import HSQCore

/// The server-optimizer registry: every built-in plus those researchers register.
public enum ServerOptimizers {
  /// All registered server optimizers by name.
  public static let registry = ComponentTable<any ServerOptimizer>.builtins(
    .serverOptimizer, builtinServerOptimizerTypes, docs: builtinDocComments, info: { $0.info }, make: { try $0.init($1) })

  /// Builds the server optimizer spelled `name:key=value,…`.
  public static func make(_ spec: String) throws -> any ServerOptimizer {
    try registry.make(spec)
  }

  /// Registers a server-optimizer type; throws when its name is taken.
  ///
  /// Registered by an add-on, every instance reports its construction and each step to ``AddOnActivity`` first.
  public static func register<O: ServerOptimizerComponent>(_ type: O.Type) throws {
    try registry.register(O.info, addOn: { AddOnServerOptimizer(wrapped: $0, owner: $1) }) { try O($0) }
  }
}

/// An add-on's server optimizer: reports each step to ``AddOnActivity`` before running the add-on's code.
struct AddOnServerOptimizer: ServerOptimizer {
  let wrapped: any ServerOptimizer
  let owner: String

  var spec: String { wrapped.spec }
  var stateSlots: [ServerStateSlot] { wrapped.stateSlots }

  func step(_ g: [Float], parameters x: inout [Float], state: inout [[Float]], context: ServerStepContext) {
    AddOnActivity.willRun(owner, "step")
    wrapped.step(g, parameters: &x, state: &state, context: context)
  }
}
