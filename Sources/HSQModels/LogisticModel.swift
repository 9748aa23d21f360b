import HSQCore

/// Binary logistic regression on labels 0/1: smooth and convex, with L from the data's spectrum.
///
/// ```
/// f(w, b) = (1/n) Σᵢ [log(1 + e^{zᵢ}) − yᵢzᵢ],   zᵢ = xᵢᵀw + b,  yᵢ ∈ {0, 1}
/// ∇_w f = (1/n) Xᵀ(σ(z) − y),  ∂_b f = (1/n) 1ᵀ(σ(z) − y)
/// L = λ_max(AᵀA/n)/4  (σ′ ≤ 1/4),  μ = 0,   A = [X 1]
/// ```
///
/// **Properties:** convex, L-smooth, not strongly convex without weight
/// decay (``Smoothness/adding(weightDecay:)`` gives L + λ, μ = λ). L is
/// exact for d + 1 ≤ 512 and a Lanczos estimate beyond. Needs a binary
/// dataset; use `softmax` for more classes.
///
/// - Parameter bias: learn the intercept b (default true).
/// - Parameter init: zero (default) or xavier.
public struct LogisticModel: ModelComponent {
  public static let info = ComponentInfo(
    kind: .model, name: "logistic",
    parameters: [LinearParameters.bias, LinearParameters.initialization])

  public let spec: String
  public let input: ModelInput
  public let output = OutputLoss.logistic
  public let layers: [LayerInfo]
  let stack: DenseStack
  let initialization: DenseStack.Initialization

  public init(_ parameters: ParameterValues, input: ModelInput) throws {
    switch input.task {
    case .binary: break
    case .multiclass:
      throw HSQError.incompatible(
        subject: "Model 'logistic'", needs: "labels 0/1", found: "the dataset has \(input.classCount) classes", fix: "use 'softmax' (or 'mlp')")
    case .regression:
      throw HSQError.incompatible(subject: "Model 'logistic'", needs: "labels 0/1", found: "the dataset is a regression", fix: "use 'least-squares'")
    }
    spec = parameters.canonical
    self.input = input
    stack = LinearParameters.stack(parameters, input: input, width: 1)
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
    return try LinearSpectrum(examples, bias: stack.hasBias).smoothness(curvature: 0.25, stronglyConvex: false)
  }
}
