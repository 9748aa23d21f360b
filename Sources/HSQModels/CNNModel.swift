import HSQCore

/// A small convolutional network for images: conv k×k×C → ReLU → 2×2 max-pool → dense layers.
///
/// ```
/// x (c×h×w) → conv (valid, stride 1) → relu → maxpool 2×2 → [fc → relu]* → fc → scores
/// 28×28, k = 5, C = 8:  24×24×8 → 12×12×8 = 1152 features → 10 classes  (11 706 parameters)
/// ```
///
/// The convolution is im2col plus one OpenBLAS `sgemm` per batch (an
/// `(n·oh·ow) × (c·k·k)` by `(c·k·k) × C` product), so the defaults cost
/// about as much per example as the 784-128-10 MLP. Images come from the
/// dataset's feature shape: `[h, w]` (one channel) or `[c, h, w]`.
///
/// **Properties:** non-convex (``smoothness(on:)`` is `nil`); He
/// initialization `N(0, 2/fan_in)` for every weight, biases zero. Layers
/// `conv.weight` `[c, k, k, C]` (PyTorch stores `[C, c, k, k]`), `conv.bias`, then `fc.*`
/// (or `fc1.*`, `fc2.*`, …).
///
/// - Parameter channels: C, the number of filters (1...256, default 8).
/// - Parameter kernel: k, the filter size (1...15, default 5).
/// - Parameter hidden: widths of dense hidden layers after pooling joined by '-', or `none` (default).
public struct CNNModel: ModelComponent {
  public static let info = ComponentInfo(
    kind: .model, name: "cnn",
    parameters: [
      .int("channels", 1...256, default: 8, doc: "C, the number of convolution filters."),
      .int("kernel", 1...15, default: 5, doc: "k, the filter size (k×k, valid padding, stride 1)."),
      .string("hidden", default: "none", doc: "Dense hidden widths after pooling joined by '-', e.g. 64; none for a direct output layer."),
    ])

  public let spec: String
  public let input: ModelInput
  public let output: OutputLoss
  public let layers: [LayerInfo]
  let conv: ConvolutionStage
  let stack: DenseStack

  public init(_ parameters: ParameterValues, input: ModelInput) throws {
    let shape = input.featureShape
    guard shape.count == 2 || shape.count == 3 else {
      throw HSQError.incompatible(
        subject: "Model 'cnn'", needs: "image features shaped [h, w] or [c, h, w]", found: "the dataset's are \(shape)", fix: "use 'mlp' for flat features")
    }
    let k = parameters.int("kernel")
    let (c, h, w) = shape.count == 2 ? (1, shape[0], shape[1]) : (shape[0], shape[1], shape[2])
    guard h - k + 1 >= 2, w - k + 1 >= 2 else {
      throw HSQError.invalidParameter(
        component: "cnn", parameter: "kernel",
        problem: "\(k) leaves no 2×2 window to pool on \(h)×\(w) images; use a kernel of at most \(min(h, w) - 1).")
    }
    spec = parameters.canonical
    self.input = input
    output = .natural(for: input)
    conv = ConvolutionStage(channelsIn: c, height: h, width: w, kernel: k, channels: parameters.int("channels"))
    let hidden = try MLPModel.parseWidths(parameters.string("hidden"), component: "cnn")
    stack = DenseStack(sizes: [conv.outputCount] + hidden + [output.width], activation: .relu, firstParameter: 2)
    layers = conv.layers + stack.layers
  }

  /// im2col rows, the convolution's output and its delta, the pooled features and their delta, then the dense stack's.
  public var workspaceFloatsPerExample: Int {
    conv.pixels * (conv.patch + 2 * conv.channels) + 2 * conv.outputCount + stack.workspaceFloatsPerExample
  }

  public func initialParameters(rng: inout RandomStream) -> [[Float]] {
    var p: [[Float]] = []
    conv.appendInitial(to: &p, rng: &rng)
    stack.appendInitial(to: &p, scheme: .he, rng: &rng)
    return p
  }

  public func lossAndGradient(parameters: [[Float]], batch: Examples, into gradient: inout [[Float]], workspace: Workspace) throws -> Double {
    try checkCall(parameters, batch, rows: 0..<batch.count)
    prepareGradient(&gradient)
    let n = batch.count
    return try batch.features.withUnsafeBufferPointer { x in
      let pooled = conv.forward(parameters, x: x.baseAddress!, rows: n, workspace: workspace)
      let z = stack.forward(parameters, x: pooled, rows: n, workspace: workspace)
      let (lossSum, _) = try output.apply(z, examples: batch, rows: 0..<n, delta: true, model: spec)
      let pooledDelta = workspace.buffer(WorkspaceSlot.pooledDelta, count: n * conv.outputCount)
      stack.backward(parameters, x: pooled, rows: n, delta: z, into: &gradient, inputGradient: pooledDelta, workspace: workspace)
      conv.backward(rows: n, pooledDelta: pooledDelta, into: &gradient, workspace: workspace)
      return lossSum / Double(n)
    }
  }

  public func scores(parameters: [[Float]], examples: Examples, rows: Range<Int>, into scores: inout [Float], workspace: Workspace) throws {
    try checkCall(parameters, examples, rows: rows)
    let count = rows.count * output.width
    if scores.count < count { scores = [Float](repeating: 0, count: count) }
    examples.features.withUnsafeBufferPointer { x in
      let first = x.baseAddress! + rows.lowerBound * examples.featureCount
      let pooled = conv.forward(parameters, x: first, rows: rows.count, workspace: workspace)
      let z = stack.forward(parameters, x: pooled, rows: rows.count, workspace: workspace)
      scores.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: z, count: count) }
    }
  }
}
