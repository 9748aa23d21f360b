import HSQCore

/// A multilayer perceptron: dense layers with a nonlinearity between them, softmax or squared output.
///
/// ```
/// x → fc1 → act → fc2 → act → … → fc_L → scores
/// classification: softmax cross-entropy over the classes;  regression: ½(z − y)²
/// ```
///
/// `hidden=128` on Fashion-MNIST is the 784-128-10 network of the NumPy
/// peer and of the HSQ authors' MNIST experiments; layers are
/// `fc1.weight` (784×128, `x·W` layout), `fc1.bias`, `fc2.weight`, `fc2.bias`.
/// Every product is one OpenBLAS `sgemm`; nothing is allocated per step.
///
/// **Properties:** non-convex (``smoothness(on:)`` is `nil`). Initial
/// weights He `N(0, 2/fan_in)` for relu and Xavier `N(0, 2/(fan_in + fan_out))`
/// for tanh/sigmoid (`init=auto`), biases zero, drawn in layer order.
///
/// - Parameter hidden: widths of the hidden layers joined by '-', e.g. `256-128`; `none` for a linear model.
/// - Parameter activation: relu (default), tanh or sigmoid.
/// - Parameter init: auto (default), he or xavier.
public struct MLPModel: ModelComponent {
  public static let info = ComponentInfo(
    kind: .model, name: "mlp",
    parameters: [
      .string("hidden", default: "128", doc: "Hidden layer widths joined by '-', e.g. 256-128; 'none' for no hidden layer."),
      .choice("activation", Activation.self, default: .relu, doc: "The nonlinearity after each hidden layer."),
      .choice("init", WeightInit.self, default: .auto, doc: "Weight initialization; auto is he for relu, xavier otherwise."),
    ])

  public let spec: String
  public let input: ModelInput
  public let output: OutputLoss
  public let layers: [LayerInfo]
  let stack: DenseStack
  let initialization: DenseStack.Initialization

  public init(_ parameters: ParameterValues, input: ModelInput) throws {
    let hidden = try Self.parseWidths(parameters.string("hidden"), component: "mlp")
    let activation = parameters.choice("activation", as: Activation.self)
    spec = parameters.canonical
    self.input = input
    output = .natural(for: input)
    stack = DenseStack(sizes: [input.featureCount] + hidden + [output.width], activation: activation)
    layers = stack.layers
    switch parameters.choice("init", as: WeightInit.self) {
    case .he: initialization = .he
    case .xavier: initialization = .xavier
    case .auto: initialization = activation == .relu ? .he : .xavier
    }
  }

  /// The `init` parameter: he, xavier, or auto (he for relu, xavier otherwise).
  enum WeightInit: String, NamedChoice {
    case auto, he, xavier
  }

  /// Parses `256-128` (or `none`) into widths.
  static func parseWidths(_ text: String, component: String) throws -> [Int] {
    if text == "none" || text == "0" { return [] }
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    let widths = parts.compactMap { Int($0) }
    guard widths.count == parts.count, widths.allSatisfy({ (1...65536).contains($0) }), widths.count <= 30 else {
      throw HSQError.invalidParameter(
        component: component, parameter: "hidden",
        problem: "'\(text)' is not a list of widths; write e.g. 128 or 256-128 (each 1...65536, at most 30 layers) or none.")
    }
    return widths
  }

  public func initialParameters(rng: inout RandomStream) -> [[Float]] {
    var p: [[Float]] = []
    stack.appendInitial(to: &p, scheme: initialization, rng: &rng)
    return p
  }

  public func lossAndGradient(parameters: [[Float]], batch: Examples, into gradient: inout [[Float]], workspace: Workspace) throws -> Double {
    try denseLossAndGradient(stack, parameters: parameters, batch: batch, into: &gradient, workspace: workspace)
  }

  public func scores(parameters: [[Float]], examples: Examples, rows: Range<Int>, into scores: inout [Float], workspace: Workspace) throws {
    try denseScores(stack, parameters: parameters, examples: examples, rows: rows, into: &scores, workspace: workspace)
  }
}
