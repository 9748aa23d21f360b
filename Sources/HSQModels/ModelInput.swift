import HSQCore

/// What a model is built for: the shape of one example, the task and the number of classes.
///
/// Registered models are declared without knowing their data; a
/// ``ModelFactory`` turns the parameters a researcher typed
/// (`mlp:hidden=128`) into a model for one ``ModelInput``, usually taken
/// from a ``Dataset`` (``init(_:)``). That is how the input dimension and the
/// class count reach the model: they come from the data, never from the
/// model's parameters, so `mlp:hidden=128` works unchanged on any dataset.
public struct ModelInput: Sendable, Hashable, CustomStringConvertible {
  /// The shape of one example's features: `[d]`, or `[h, w]` / `[c, h, w]` for images.
  public var featureShape: [Int]
  public var task: Task
  /// Number of classes: 2 for binary, `≥ 2` for multiclass, 0 for regression.
  public var classCount: Int

  /// - Parameters:
  ///   - featureShape: the shape of one example (its product is the feature count).
  ///   - task: regression, binary or multiclass.
  ///   - classCount: classes of a classification task (ignored for regression, 2 for binary).
  public init(featureShape: [Int], task: Task, classCount: Int = 0) {
    self.featureShape = featureShape
    self.task = task
    switch task {
    case .regression: self.classCount = 0
    case .binary: self.classCount = 2
    case .multiclass: self.classCount = classCount
    }
  }

  /// A flat input of `featureCount` features.
  public init(featureCount: Int, task: Task, classCount: Int = 0) {
    self.init(featureShape: [featureCount], task: task, classCount: classCount)
  }

  /// The input of `dataset`: its feature shape, task and class count.
  public init(_ dataset: Dataset) {
    self.init(featureShape: dataset.featureShape, task: dataset.task, classCount: dataset.classCount)
  }

  /// Features per example, the product of ``featureShape``.
  public var featureCount: Int { featureShape.reduce(1, *) }

  public var description: String {
    let shape = featureShape.map(String.init).joined(separator: "×")
    switch task {
    case .regression: return "\(shape) features, regression"
    case .binary: return "\(shape) features, binary"
    case .multiclass: return "\(shape) features, \(classCount) classes"
    }
  }

  /// Throws unless the input is usable at all (positive sizes, at least 2 classes).
  func validate(for model: String) throws {
    guard !featureShape.isEmpty, featureShape.allSatisfy({ $0 > 0 }) else {
      throw HSQError.incompatible(
        subject: "Model '\(model)'", needs: "a positive feature shape", found: "the dataset's is \(featureShape)", fix: "check the dataset")
    }
    if task == .multiclass, classCount < 2 {
      throw HSQError.incompatible(
        subject: "Model '\(model)'", needs: "at least 2 classes", found: "the dataset declares \(classCount)", fix: "check the dataset")
    }
  }

  /// Throws unless `examples` have this input's feature count and the labels or targets its task needs.
  func check(_ examples: Examples, model: String) throws {
    guard examples.featureCount == featureCount else {
      throw HSQError.incompatible(
        subject: "Model '\(model)'", needs: "the \(featureCount) features it was built for",
        found: "the examples have \(examples.featureCount)", fix: "build the model for this dataset")
    }
    switch task {
    case .regression:
      guard examples.targets.count == examples.count else {
        throw HSQError.incompatible(
          subject: "Model '\(model)'", needs: "examples with regression targets", found: "these have no targets", fix: "use a regression dataset")
      }
    case .binary, .multiclass:
      guard examples.labels.count == examples.count else {
        throw HSQError.incompatible(
          subject: "Model '\(model)'", needs: "labelled examples", found: "these have no labels", fix: "use a classification dataset")
      }
    }
  }
}

/// One named layer of parameters: what the simulation compresses separately.
public struct LayerInfo: Sendable, Hashable, CustomStringConvertible {
  /// E.g. `fc1.weight`.
  public let name: String
  /// E.g. `[784, 128]` (input × output for dense weights, as in `x·W`).
  public let shape: [Int]

  public init(name: String, shape: [Int]) {
    self.name = name
    self.shape = shape
  }

  /// Number of parameters, the product of ``shape``.
  public var count: Int { shape.reduce(1, *) }

  public var description: String { "\(name) \(shape.map(String.init).joined(separator: "×"))" }
}
