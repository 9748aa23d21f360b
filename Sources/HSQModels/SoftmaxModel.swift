import HSQCore

/// Multinomial logistic regression: one linear score per class, softmax cross-entropy.
///
/// ```
/// f(W, b) = (1/n) Σᵢ [log Σⱼ e^{zᵢⱼ} − z_{i,yᵢ}],   zᵢ = Wᵀxᵢ + b  (W is d×K)
/// ∇_W f = (1/n) Xᵀ(P − Y),  ∇_b f = (1/n) (P − Y)ᵀ1,   P = softmax(Z) row-wise, Y one-hot
/// L = λ_max(AᵀA/n)/2,  μ = 0,   A = [X 1]
/// ```
///
/// **Properties:** convex, L-smooth (the per-example Hessian in z is
/// `diag(p) − ppᵀ ⪯ ½I`, Böhning 1992, so L ≤ λ_max/2), not strongly convex
/// (shifting every class's weights equally leaves f unchanged). Softmax is
/// computed after subtracting each row's maximum. Needs a classification
/// dataset (binary works as 2 classes).
///
/// - Parameter bias: learn the intercepts b (default true).
/// - Parameter init: zero (default) or xavier.
public struct SoftmaxModel: ModelComponent {
  public static let info = ComponentInfo(
    kind: .model, name: "softmax",
    parameters: [LinearParameters.bias, LinearParameters.initialization])

  public let spec: String
  public let input: ModelInput
  public let output: OutputLoss
  public let layers: [LayerInfo]
  let stack: DenseStack
  let initialization: DenseStack.Initialization

  public init(_ parameters: ParameterValues, input: ModelInput) throws {
    guard input.task != .regression else {
      throw HSQError.incompatible(subject: "Model 'softmax'", needs: "class labels", found: "the dataset is a regression", fix: "use 'least-squares' (or 'mlp')")
    }
    spec = parameters.canonical
    self.input = input
    output = .softmax(classes: input.classCount)
    stack = LinearParameters.stack(parameters, input: input, width: input.classCount)
    layers = stack.layers
    initialization = LinearParameters.initialization(parameters)
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

  public func smoothness(on examples: Examples) throws -> Smoothness? {
    try input.check(examples, model: spec)
    return try LinearSpectrum(examples, bias: stack.hasBias).smoothness(curvature: 0.5, stronglyConvex: false)
  }
}
