/// A set of examples: a feature matrix with labels (classification) or targets (regression).
///
/// Features are Float32, `count × featureCount`, row-major. Exactly one of
/// ``labels`` and ``targets`` is non-empty.
public struct Examples: Sendable, Hashable {
  public var count: Int
  public var featureCount: Int
  /// `count × featureCount`, row-major.
  public var features: [Float]
  /// Class labels `0..<classCount`, one per example (classification), else empty.
  public var labels: [Int32]
  /// Real targets, one per example (regression), else empty.
  public var targets: [Float]

  public init(count: Int, featureCount: Int, features: [Float], labels: [Int32] = [], targets: [Float] = []) {
    precondition(features.count == count * featureCount, "features do not match count × featureCount")
    precondition(labels.isEmpty || labels.count == count, "one label per example")
    precondition(targets.isEmpty || targets.count == count, "one target per example")
    self.count = count
    self.featureCount = featureCount
    self.features = features
    self.labels = labels
    self.targets = targets
  }

  /// The examples at `indices`, in that order (a minibatch or a worker's shard).
  public func subset(_ indices: [Int]) -> Examples {
    var f = [Float]()
    f.reserveCapacity(indices.count * featureCount)
    features.withUnsafeBufferPointer { src in
      for i in indices { f.append(contentsOf: src[(i * featureCount)..<((i + 1) * featureCount)]) }
    }
    return Examples(
      count: indices.count, featureCount: featureCount, features: f,
      labels: labels.isEmpty ? [] : indices.map { labels[$0] },
      targets: targets.isEmpty ? [] : indices.map { targets[$0] })
  }
}

/// What a dataset asks a model to do.
public enum Task: String, Sendable, Hashable, Codable {
  case regression
  case binary
  case multiclass
}

/// A named dataset: train and test examples, with the task and the number of classes.
public struct Dataset: Sendable, Hashable {
  /// The canonical spelling, e.g. `linear:d=64,n=1024,seed=0`.
  public let name: String
  public let task: Task
  /// Number of classes (2 for binary, 0 for regression).
  public let classCount: Int
  public let train: Examples
  public let test: Examples
  /// The shape of one example's features, e.g. `[28, 28]` for images (`[featureCount]` otherwise).
  public let featureShape: [Int]

  public init(name: String, task: Task, classCount: Int, train: Examples, test: Examples, featureShape: [Int]? = nil) {
    precondition(train.featureCount == test.featureCount, "train and test have different feature counts")
    self.name = name
    self.task = task
    self.classCount = classCount
    self.train = train
    self.test = test
    self.featureShape = featureShape ?? [train.featureCount]
  }
}
