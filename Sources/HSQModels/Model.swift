import HSQCore

/// A differentiable model whose parameters are named layers of Float32.
///
/// Parameters are `[[Float]]`, one flat row-major array per entry of
/// ``layers`` (e.g. `fc1.weight` 784×128, `fc1.bias` 128, …): the
/// simulation compresses each layer separately and the optimizer (with any
/// weight decay) updates them; the model itself holds no parameters and no
/// mutable state. It is `Sendable` and may be called from several threads at
/// once, each with its own ``Workspace``:
///
/// ```
/// let model = try Models.make("mlp:hidden=128", for: dataset)
/// var params = model.initialParameters(rng: &initStream)
/// // per worker thread, once:
/// let workspace = Workspace()
/// var gradient = model.zeroParameters()
/// // per step:
/// let loss = try model.lossAndGradient(parameters: params, batch: batch, into: &gradient, workspace: workspace)
/// ```
///
/// `lossAndGradient` returns the mean loss over the batch and writes the
/// gradient of that mean; it allocates nothing once the workspace and the
/// gradient arrays have their sizes. Large sets are evaluated in chunks
/// (``evaluate(parameters:examples:workspace:chunk:)``).
public protocol Model: Sendable {
  /// The canonical spelling with every parameter, e.g. `mlp:hidden=128,activation=relu,init=auto`.
  var spec: String { get }
  /// The data shape and task the model was built for.
  var input: ModelInput { get }
  /// How scores become the loss and predictions.
  var output: OutputLoss { get }
  /// The parameter layers, in the order of the `[[Float]]` arrays.
  var layers: [LayerInfo] { get }

  /// Fresh parameters, drawn from `rng` in layer order (deterministic from its seed).
  func initialParameters(rng: inout RandomStream) -> [[Float]]

  /// The mean loss over `batch`; writes its gradient into `gradient` (resized to ``layers`` if needed), every entry: callers may pass uninitialized buffers.
  ///
  /// - Throws: ``HSQError/invalidArgument(_:)`` when the parameters do not match ``layers``, or the
  ///   batch is empty or does not match ``input`` (feature count, labels or targets, label range).
  func lossAndGradient(parameters: [[Float]], batch: Examples, into gradient: inout [[Float]], workspace: Workspace) throws -> Double

  /// Writes the scores of `rows` of `examples` (`rows.count × output.width`, row-major) into `scores`.
  func scores(parameters: [[Float]], examples: Examples, rows: Range<Int>, into scores: inout [Float], workspace: Workspace) throws

  /// The smoothness L and strong convexity μ of the training loss on `examples`; `nil` for non-convex models.
  func smoothness(on examples: Examples) throws -> Smoothness?

  /// The minimizer and the optimal loss f* on `examples`, where a closed form exists; else `nil`.
  func optimum(on examples: Examples) throws -> Optimum?

  /// Floats one example takes in a ``Workspace`` during ``lossAndGradient(parameters:batch:into:workspace:)``
  /// (activations, deltas, im2col rows), for memory estimates; the default counts each dense layer's outputs twice.
  var workspaceFloatsPerExample: Int { get }
}

/// The loss and accuracy of a model on a set of examples.
public struct Evaluation: Sendable, Hashable {
  /// Mean loss (the training objective without weight decay).
  public var loss: Double
  /// Fraction classified correctly; `nil` for regression.
  public var accuracy: Double?
  /// Examples evaluated.
  public var count: Int
}

/// A model's predictions, shaped like ``Examples``: labels for classifiers, values for regression.
public struct Predictions: Sendable, Hashable {
  public var labels: [Int32]
  public var values: [Float]
}

extension Model {
  public func smoothness(on examples: Examples) throws -> Smoothness? { nil }
  public func optimum(on examples: Examples) throws -> Optimum? { nil }

  /// The total number of parameters.
  public var parameterCount: Int { layers.reduce(0) { $0 + $1.count } }

  /// Zeros shaped like the parameters (a gradient buffer, a momentum, an error-feedback memory).
  public func zeroParameters() -> [[Float]] {
    layers.map { [Float](repeating: 0, count: $0.count) }
  }

  /// Arrays shaped like the parameters with undefined contents, for a writer that fills every
  /// entry (a gradient: ``lossAndGradient(parameters:batch:into:workspace:)`` overwrites all of it).
  public func uninitializedParameters() -> [[Float]] {
    layers.map { layer in [Float](unsafeUninitializedCapacity: layer.count) { _, count in count = layer.count } }
  }

  /// Throws unless `parameters` has one array per layer with the layer's count.
  public func checkParameters(_ parameters: [[Float]]) throws {
    let layers = self.layers
    guard parameters.count == layers.count else {
      throw HSQError.incompatible(
        subject: "Model '\(spec)'", needs: "\(layers.count) parameter layers", found: "\(parameters.count) were given",
        fix: "use parameters made by this model")
    }
    for (layer, values) in zip(layers, parameters) where values.count != layer.count {
      throw HSQError.incompatible(
        subject: "Layer '\(layer.name)' of '\(spec)'", needs: "\(layer.count) values", found: "\(values.count) were given",
        fix: "use parameters made by this model")
    }
  }

  /// Mean loss and gradient with a temporary workspace (convenient, not for hot loops).
  public func lossAndGradient(parameters: [[Float]], batch: Examples) throws -> (loss: Double, gradient: [[Float]]) {
    var gradient = zeroParameters()
    let loss = try lossAndGradient(parameters: parameters, batch: batch, into: &gradient, workspace: Workspace())
    return (loss, gradient)
  }

  /// The mean loss and accuracy over `examples`, computed `chunk` examples at a time.
  public func evaluate(
    parameters: [[Float]], examples: Examples, workspace: Workspace = Workspace(), chunk: Int = 256
  ) throws -> Evaluation {
    guard examples.count > 0 else {
      throw HSQError.invalidArgument("Cannot evaluate '\(spec)' on an empty set of examples; give at least one.")
    }
    let width = output.width
    var buffer = [Float](repeating: 0, count: min(chunk, examples.count) * width)
    var lossSum = 0.0
    var correct = 0
    for start in stride(from: 0, to: examples.count, by: max(chunk, 1)) {
      let rows = start..<min(start + chunk, examples.count)
      try scores(parameters: parameters, examples: examples, rows: rows, into: &buffer, workspace: workspace)
      let part = try buffer.withUnsafeMutableBufferPointer {
        try output.apply($0.baseAddress!, examples: examples, rows: rows, delta: false, model: spec)
      }
      lossSum += part.lossSum
      correct += part.correct
    }
    let n = Double(examples.count)
    return Evaluation(loss: lossSum / n, accuracy: output.isClassification ? Double(correct) / n : nil, count: examples.count)
  }

  /// Predicted labels (classifiers) or values (regression) for every example.
  public func predict(parameters: [[Float]], examples: Examples, workspace: Workspace = Workspace(), chunk: Int = 256) throws -> Predictions {
    let width = output.width
    var buffer = [Float](repeating: 0, count: min(chunk, max(examples.count, 1)) * width)
    var result = Predictions(labels: [], values: [])
    for start in stride(from: 0, to: examples.count, by: max(chunk, 1)) {
      let rows = start..<min(start + chunk, examples.count)
      try scores(parameters: parameters, examples: examples, rows: rows, into: &buffer, workspace: workspace)
      for r in 0..<rows.count {
        switch output {
        case .squared: result.values.append(buffer[r])
        case .logistic: result.labels.append(buffer[r] > 0 ? 1 : 0)
        case let .softmax(k):
          var best = 0
          for j in 1..<k where buffer[r * k + j] > buffer[r * k + best] { best = j }
          result.labels.append(Int32(best))
        }
      }
    }
    return result
  }

  /// Resizes `gradient` to the layers when it does not match (first use).
  func prepareGradient(_ gradient: inout [[Float]]) {
    let layers = self.layers
    if gradient.count != layers.count || zip(gradient, layers).contains(where: { $0.count != $1.count }) {
      gradient = zeroParameters()
    }
  }

  /// The checks every entry point makes: parameters, non-empty rows, the examples' shape and targets.
  func checkCall(_ parameters: [[Float]], _ examples: Examples, rows: Range<Int>) throws {
    try checkParameters(parameters)
    guard !rows.isEmpty, rows.lowerBound >= 0, rows.upperBound <= examples.count else {
      throw HSQError.invalidArgument(
        "Rows \(rows) are not a non-empty range of the \(examples.count) examples given to '\(spec)'; give at least one example.")
    }
    try input.check(examples, model: spec)
  }
}
