import HSQCore

// The shared forward/backward path of the models that are one dense stack (linear models, MLP).
extension Model {
  func denseLossAndGradient(
    _ stack: DenseStack, parameters: [[Float]], batch: Examples, into gradient: inout [[Float]], workspace: Workspace
  ) throws -> Double {
    try checkCall(parameters, batch, rows: 0..<batch.count)
    prepareGradient(&gradient)
    let n = batch.count
    return try batch.features.withUnsafeBufferPointer { x in
      let z = stack.forward(parameters, x: x.baseAddress!, rows: n, workspace: workspace)
      let (lossSum, _) = try output.apply(z, examples: batch, rows: 0..<n, delta: true, model: spec)
      stack.backward(parameters, x: x.baseAddress!, rows: n, delta: z, into: &gradient, inputGradient: nil, workspace: workspace)
      return lossSum / Double(n)
    }
  }

  func denseScores(
    _ stack: DenseStack, parameters: [[Float]], examples: Examples, rows: Range<Int>, into scores: inout [Float],
    workspace: Workspace
  ) throws {
    try checkCall(parameters, examples, rows: rows)
    let count = rows.count * output.width
    if scores.count < count { scores = [Float](repeating: 0, count: count) }
    examples.features.withUnsafeBufferPointer { x in
      let z = stack.forward(parameters, x: x.baseAddress! + rows.lowerBound * examples.featureCount, rows: rows.count, workspace: workspace)
      scores.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: z, count: count) }
    }
  }
}

/// Parameters the three linear models share.
enum LinearParameters {
  static let bias = ParameterSpec.bool("bias", default: true, doc: "Learn an intercept b (a ones column in the smoothness constants).")
  /// The `init` parameter of a linear model.
  enum WeightInit: String, NamedChoice {
    case zero, xavier
  }

  static let initialization = ParameterSpec.choice(
    "init", WeightInit.self, default: .zero,
    doc: "Initial weights: zero (a seed-free start, the usual x₀ of convex bounds) or xavier N(0, 2/(d + k)).")

  /// The stack `d → k` named `linear`.
  static func stack(_ parameters: ParameterValues, input: ModelInput, width: Int) -> DenseStack {
    DenseStack(sizes: [input.featureCount, width], activation: .relu, hasBias: parameters.bool("bias"), names: ["linear"])
  }

  static func initialization(_ parameters: ParameterValues) -> DenseStack.Initialization {
    parameters.choice("init", as: WeightInit.self) == .zero ? .zero : .xavier
  }
}
