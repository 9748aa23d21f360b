import HSQCore
import HSQExperiments

/// The `ServerOptimizer` contract as runnable checks: what the test suite holds every built-in to, and
/// `check <server-optimizer>` holds a loaded one to.
///
/// ```
/// declaration           the canonical spec builds the same optimizer; a summary; state slots with distinct names
/// shape and finiteness  three steps on finite updates (outliers of 10⁶ included) keep every layer's length,
///                       every slot's buffer, and give finite parameters and state
/// determinism           the same updates from the same state give the same parameters and state, bit for bit
/// no update, no move    a zero update from the initial state leaves the parameters exactly where they are
/// descent               the first step on a nonzero update g moves the parameters against it: ⟨Δx, g⟩ < 0
/// ```
///
/// The updates and parameters are seeded Gaussians, so the checks are the same on every run; the context
/// is lr 0.1, schedule factor 1, momentum 0.
public enum ServerOptimizerContract {
  /// Layer lengths of the parameters and updates.
  public static let layers = [1, 7, 130]
  /// The steps the shape and determinism checks take.
  public static let steps = 3

  /// Builds `spec` from the registry and runs every check on it.
  ///
  /// - Throws: when `spec` does not build; wrong answers of the optimizer itself are failed checks.
  public static func check(_ spec: String) throws -> [ContractCheckResult] {
    let optimizer = try ServerOptimizers.make(spec)
    return [declaration(spec, optimizer), shapeAndFiniteness(optimizer), determinism(optimizer), noUpdateNoMove(optimizer), descent(optimizer)]
  }

  /// Seeded standard Gaussians shaped like ``layers``; `outliers` makes one value in 50 ±10⁶.
  static func vectors(seed: UInt64, outliers: Bool) -> [[Float]] {
    var rng = RandomStream(seed: seed)
    return layers.map { count in
      (0..<count).map { _ in
        outliers && rng.uniformDouble() < 0.02 ? (rng.uniformDouble() < 0.5 ? -1e6 : 1e6) : Float(rng.gaussian())
      }
    }
  }

  /// The state before the first step: every slot's buffer at its initial value, per layer.
  static func initialState(_ optimizer: any ServerOptimizer) -> [[[Float]]] {
    layers.map { count in optimizer.stateSlots.map { [Float](repeating: $0.initial, count: count) } }
  }

  static func context(step: Int) -> ServerStepContext {
    ServerStepContext(learningRate: 0.1, scheduleFactor: 1, momentum: 0, completedSteps: step)
  }

  /// `updates.count` steps from the initial state on ``vectors(seed:outliers:)`` parameters: the parameters and state after.
  static func run(_ optimizer: any ServerOptimizer, updates: [[[Float]]]) -> (x: [[Float]], state: [[[Float]]]) {
    var x = vectors(seed: 1, outliers: false), state = initialState(optimizer)
    for (k, g) in updates.enumerated() {
      for l in layers.indices { optimizer.step(g[l], parameters: &x[l], state: &state[l], context: context(step: k)) }
    }
    return (x, state)
  }

  static func updates(_ count: Int) -> [[[Float]]] {
    (0..<count).map { vectors(seed: 100 + UInt64($0), outliers: true) }
  }

  static func declaration(_ spec: String, _ optimizer: any ServerOptimizer) -> ContractCheckResult {
    var r = CheckRecorder("declaration")
    r.expectDeclaration(spec, canonical: optimizer.spec, in: ServerOptimizers.registry, spelling: \.spec)
    r.attempt("its state slots") { r in
      let names = optimizer.stateSlots.map(\.name)
      r.expect(Set(names).count == names.count, "state slots \(names) repeat a name; each slot is a checkpoint tensor and needs its own")
    }
    return r.result
  }

  static func shapeAndFiniteness(_ optimizer: any ServerOptimizer) -> ContractCheckResult {
    var r = CheckRecorder("shape and finiteness")
    r.attempt("\(steps) steps") { r in
      let (x, state) = run(optimizer, updates: updates(steps))
      r.expect(x.map(\.count) == layers, "parameters of \(x.map(\.count)) values after \(steps) steps, expected \(layers)")
      let slots = optimizer.stateSlots.count
      r.expect(state.map(\.count) == layers.map { _ in slots }, "the state has \(state.map(\.count)) buffers a layer, but \(slots) slots are declared")
      r.expect(state.indices.allSatisfy { l in state[l].allSatisfy { $0.count == layers[l] } }, "a state buffer changed its length; each is shaped like its layer")
      let bad = (Array(x.joined()) + Array(state.joined().joined())).first { !$0.isFinite }
      r.expect(bad == nil, "finite updates gave \(bad.map { "\($0)" } ?? "") in the parameters or state")
    }
    return r.result
  }

  static func determinism(_ optimizer: any ServerOptimizer) -> ContractCheckResult {
    var r = CheckRecorder("determinism")
    r.attempt("\(steps) steps, twice") { r in
      let a = run(optimizer, updates: updates(steps)), b = run(optimizer, updates: updates(steps))
      let bits = { (v: (x: [[Float]], state: [[[Float]]])) -> [UInt32] in v.x.joined().map(\.bitPattern) + v.state.joined().joined().map(\.bitPattern) }
      r.expect(bits(a) == bits(b), "two runs from the same state on the same updates differ")
    }
    return r.result
  }

  static func noUpdateNoMove(_ optimizer: any ServerOptimizer) -> ContractCheckResult {
    var r = CheckRecorder("no update, no move")
    r.attempt("one zero update") { r in
      let zero = layers.map { [Float](repeating: 0, count: $0) }
      let (x, _) = run(optimizer, updates: [zero])
      r.expect(x.joined().map(\.bitPattern) == vectors(seed: 1, outliers: false).joined().map(\.bitPattern),
        "a zero update from the initial state moved the parameters; without a signal the model must stay")
    }
    return r.result
  }

  static func descent(_ optimizer: any ServerOptimizer) -> ContractCheckResult {
    var r = CheckRecorder("descent")
    r.attempt("one step") { r in
      let g = vectors(seed: 7, outliers: false)
      let (x, _) = run(optimizer, updates: [g])
      let start = vectors(seed: 1, outliers: false)
      var inner = 0.0
      for l in layers.indices {
        for i in 0..<layers[l] { inner += Double(x[l][i] - start[l][i]) * Double(g[l][i]) }
      }
      r.expect(inner < 0, "the first step moved the parameters with the update, not against it (⟨Δx, g⟩ = \(inner)); x must move against g")
    }
    return r.result
  }
}
