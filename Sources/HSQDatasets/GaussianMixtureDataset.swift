import HSQCore

/// Synthetic classification: `classes` isotropic Gaussian clouds whose means are `separation` apart.
///
/// ```
/// μ_k = (separation/√2)·q_k      q_k orthonormal random directions (classes ≤ d)
/// x   = μ_y + ε,   ε ~ N(0, I_d)
/// ```
///
/// With `classes ≤ d` every two means are exactly `separation` apart, measured
/// in units of the noise's standard deviation; for two classes the Bayes
/// accuracy is Φ(separation/2) (0.977 for the default 4). With `classes > d`
/// the directions q_k are independent random unit vectors, so distances are
/// only about `separation`. The classes are balanced: counts differ by at most
/// one, in train and in test, in a seeded random order. ``generate(_:)`` also
/// returns the means. This is the embedded default dataset when Fashion-MNIST is
/// not installed.
///
/// - Parameter classes: number of classes (2 gives a binary task).
/// - Parameter separation: distance between any two class means, in noise standard deviations.
public struct GaussianMixtureDataset: DatasetSource {
  public static let info = ComponentInfo(
    kind: .dataset, name: "gaussian-mixture",
    parameters: [
      .int("classes", 2...10_000, default: 10, doc: "Number of classes (2 gives a binary task)."),
      .int("d", 1...65536, default: 32, doc: "Number of features."),
      .int("n", 1...10_000_000, default: 1024, doc: "Number of training examples."),
      Datasets.testCountParameter(default: 256),
      .double("separation", 0...1000, default: 4, doc: "Distance between any two class means, in noise standard deviations."),
      Datasets.seedParameter,
      Normalization.parameter(default: .none),
    ])

  /// The dataset with the class means.
  public struct Generated: Sendable, Hashable {
    public let dataset: Dataset
    /// The class means, `classes × d` row-major.
    public let means: [Float]
  }

  public static func load(_ parameters: ParameterValues) throws -> Dataset {
    try generate(parameters).dataset
  }

  /// Generates the dataset and returns it with the class means.
  public static func generate(_ parameters: ParameterValues) throws -> Generated {
    let classes = parameters.int("classes"), d = parameters.int("d")
    let n = parameters.int("n"), nTest = parameters.int("n-test")
    let separation = parameters.double("separation"), seed = UInt64(parameters.int("seed"))
    guard (n + nTest) * d <= Datasets.maximumValues, classes * d <= Datasets.maximumValues else {
      throw HSQError.invalidParameter(component: "gaussian-mixture", parameter: "n", problem: "(n + n-test)·d is more than 2^30 values; lower n or d.")
    }
    try Datasets.checkMemory(rows: n + nTest, features: d, of: "The dataset '\(parameters.canonical)'", fix: "Lower 'n', 'n-test' or 'd'")
    let means = classMeans(classes: classes, d: d, separation: separation, seed: seed)

    func examples(_ count: Int, split: Int) -> Examples {
      var orderStream = RandomStream.derived(from: seed, purpose: "mixture-order", split)
      var noiseStream = RandomStream.derived(from: seed, purpose: "mixture-noise", split)
      var labels = (0..<count).map { Int32($0 % classes) }
      orderStream.shuffle(&labels)
      var x = [Float](repeating: 0, count: count * d)
      for r in 0..<count {
        let base = Int(labels[r]) * d
        for j in 0..<d { x[r * d + j] = Float(means[base + j] + noiseStream.gaussian()) }
      }
      return Examples(count: count, featureCount: d, features: x, labels: labels)
    }

    var train = examples(n, split: 0)
    var test = examples(nTest, split: 1)
    Normalization.from(parameters).apply(train: &train.features, test: &test.features, featureCount: d)
    let dataset = Dataset(
      name: parameters.canonical, task: Datasets.classificationTask(classCount: classes), classCount: classes,
      train: train, test: test)
    return Generated(dataset: dataset, means: means.map { Float($0) })
  }

  /// The class means, `classes` rows of `d`: orthonormal directions (unit ones when classes > d) scaled
  /// so that two means are `separation` apart.
  private static func classMeans(classes: Int, d: Int, separation: Double, seed: UInt64) -> [Double] {
    var meanStream = RandomStream.derived(from: seed, purpose: "mixture-means")
    // Directions as the columns of a d × classes matrix.
    var q = (0..<(d * classes)).map { _ in meanStream.gaussian() }
    if classes <= d {
      DenseAlgebra.orthonormalizeColumns(&q, rows: d, columns: classes)
    } else {
      for k in 0..<classes {
        var norm = 0.0
        for i in 0..<d { norm += q[i * classes + k] * q[i * classes + k] }
        for i in 0..<d { q[i * classes + k] /= norm.squareRoot() }
      }
    }
    let radius = separation / 2.0.squareRoot()
    var means = [Double](repeating: 0, count: classes * d)
    for k in 0..<classes { for i in 0..<d { means[k * d + i] = radius * q[i * classes + k] } }
    return means
  }
}
