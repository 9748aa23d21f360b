import HSQCore

/// Linear least squares: the strongly convex quadratic the convergence bounds are exact for.
///
/// ```
/// f(w, b) = (1/2n) Σᵢ (xᵢᵀw + b − yᵢ)²
/// ∇_w f = (1/n) Xᵀr,  ∂_b f = (1/n) 1ᵀr,   r = Xw + b1 − y
/// L = λ_max(AᵀA/n),  μ = λ_min(AᵀA/n),     A = [X 1] (A = X with bias=false)
/// ```
///
/// **Properties:** convex; μ-strongly convex when A has full column rank
/// (μ = 0 when n < d + 1); ``smoothness(on:)`` gives L and μ exactly for
/// d + 1 ≤ 512 (symmetric eigenvalues of the Gram matrix), by Lanczos
/// beyond; ``optimum(on:)`` gives the (minimum-norm) minimizer and f* for
/// d + 1 ≤ 512, and the unique minimizer by Cholesky of the Gram matrix up to
/// d + 1 ≤ 8192 (normal-equation residual ≤ 10⁻¹⁰ relative; about 5 s at
/// d = n = 4096). Needs a regression dataset (real targets).
///
/// - Parameter bias: learn the intercept b (default true).
/// - Parameter init: zero (default) or xavier.
public struct LeastSquaresModel: ModelComponent, DenseStackModel {
  public static let info = ComponentInfo(
    kind: .model, name: "least-squares",
    parameters: [LinearParameters.bias, LinearParameters.initialization])

  public let spec: String
  public let input: ModelInput
  public let output = OutputLoss.squared
  public let layers: [LayerInfo]
  let stack: DenseStack
  let initialization: DenseStack.Initialization

  public init(_ parameters: ParameterValues, input: ModelInput) throws {
    guard input.task == .regression else {
      throw HSQError.incompatible(
        subject: "Model 'least-squares'", needs: "real targets", found: "the dataset is a \(input.task.rawValue) classification",
        fix: "use 'logistic' (binary) or 'softmax'")
    }
    spec = parameters.canonical
    self.input = input
    stack = LinearParameters.stack(parameters, input: input, width: 1)
    layers = stack.layers
    initialization = LinearParameters.initialization(parameters)
  }

  public func smoothness(on examples: Examples) throws -> Smoothness? {
    try input.check(examples, model: spec)
    return try LinearSpectrum(examples, bias: stack.hasBias).smoothness(curvature: 1, stronglyConvex: true)
  }

  public func optimum(on examples: Examples) throws -> Optimum? {
    try input.check(examples, model: spec)
    return try LinearSpectrum(examples, bias: stack.hasBias).leastSquaresOptimum()
  }
}
