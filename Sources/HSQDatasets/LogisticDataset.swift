import HSQCore

/// Synthetic binary classification from a linear rule, separable with a margin or with noisy labels.
///
/// ```
/// x ~ N(0, I_d),   w* a uniformly random unit vector
/// y = 1 if x·w* ≥ 0 else 0
/// separable:  x ← x + margin·(2y − 1)·w*        so (2y − 1)·x·w* ≥ margin for every example
/// otherwise:  y flipped with probability noise   (the Bayes error is `noise`)
/// ```
///
/// `separable=true` takes no label noise (leave `noise` out or set 0);
/// without it `noise` defaults to 0.1. ``generate(_:)`` also returns `w*`.
///
/// - Parameter separable: labels exactly `x·w* ≥ 0`, examples pushed `margin` away from the boundary.
/// - Parameter margin: the gap between the classes along w* when separable (0...10).
/// - Parameter noise: probability of flipping each label (0...0.5) when not separable.
public struct LogisticDataset: DatasetSource {
  public static let info = ComponentInfo(
    kind: .dataset, name: "logistic",
    parameters: [
      .int("d", 1...1_048_576, default: 32, doc: "Number of features."),
      .int("n", 1...10_000_000, default: 1024, doc: "Number of training examples."),
      Datasets.testCountParameter(default: 256),
      .bool("separable", default: false, doc: "Labels exactly x·w* >= 0 with a margin, no label noise."),
      .double("margin", 0...10, default: 0, doc: "Gap between the classes along w* when separable."),
      .double("noise", 0...0.5, default: nil, doc: "Probability of flipping each label (default 0.1; 0 when separable)."),
      Datasets.seedParameter,
      Normalization.parameter(default: .none),
    ])

  /// The dataset with the rule that labels it.
  public struct Generated: Sendable, Hashable {
    public let dataset: Dataset
    /// w*, the unit normal of the separating hyperplane through the origin.
    public let trueWeights: [Float]
  }

  public static func load(_ parameters: ParameterValues) throws -> Dataset {
    try generate(parameters).dataset
  }

  /// Generates the dataset and returns it with `w*`.
  public static func generate(_ parameters: ParameterValues) throws -> Generated {
    let d = parameters.int("d"), n = parameters.int("n"), nTest = parameters.int("n-test")
    let separable = parameters.bool("separable"), margin = parameters.double("margin")
    let noise = try checkedNoise(parameters, separable: separable, margin: margin)
    guard (n + nTest) * d <= Datasets.maximumValues else {
      throw HSQError.invalidParameter(component: "logistic", parameter: "n", problem: "(n + n-test)·d is more than 2^30 values; lower n or d.")
    }
    try Datasets.checkMemory(rows: n + nTest, features: d, of: "The dataset '\(parameters.canonical)'", fix: "Lower 'n', 'n-test' or 'd'")
    let rule = Rule(d: d, seed: UInt64(parameters.int("seed")), separable: separable, margin: margin, noise: noise)
    var train = rule.examples(n, split: 0)
    var test = rule.examples(nTest, split: 1)
    Normalization.from(parameters).apply(train: &train.features, test: &test.features, featureCount: d)
    let dataset = Dataset(name: parameters.canonical, task: .binary, classCount: 2, train: train, test: test)
    return Generated(dataset: dataset, trueWeights: rule.weights)
  }

  /// The label-flip probability: `noise` as given, else 0.1 (0 when separable); a margin needs separable data.
  private static func checkedNoise(_ parameters: ParameterValues, separable: Bool, margin: Double) throws -> Double {
    var noise = separable ? 0 : 0.1
    if case let .double(given)? = parameters.values["noise"] { noise = given }
    guard !separable || noise == 0 else {
      throw HSQError.invalidParameter(component: "logistic", parameter: "noise", problem: "separable=true labels every example by its side of the hyperplane, so there is no label noise; drop 'noise' or set separable=false.")
    }
    guard margin == 0 || separable else {
      throw HSQError.invalidParameter(component: "logistic", parameter: "margin", problem: "a margin applies to separable data only; add 'separable=true' or drop 'margin'.")
    }
    return noise
  }

  /// The labelling rule: w* drawn from the seed, and how examples are drawn and labelled by it.
  private struct Rule {
    let d: Int
    let seed: UInt64
    let separable: Bool
    let margin: Double
    let noise: Double
    /// w*, a uniformly random unit vector.
    let w: [Double]
    /// w* as stored (rounded to Float).
    let weights: [Float]

    init(d: Int, seed: UInt64, separable: Bool, margin: Double, noise: Double) {
      (self.d, self.seed, self.separable, self.margin, self.noise) = (d, seed, separable, margin, noise)
      var weightStream = RandomStream.derived(from: seed, purpose: "logistic-weights")
      let w = (0..<d).map { _ in weightStream.gaussian() }
      let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
      self.w = w.map { $0 / norm }
      weights = self.w.map { Float($0) }
    }

    /// `count` examples of split `split` (0: train, 1: test), each from its own streams.
    func examples(_ count: Int, split: Int) -> Examples {
      var xStream = RandomStream.derived(from: seed, purpose: "logistic-features", split)
      var flipStream = RandomStream.derived(from: seed, purpose: "logistic-noise", split)
      var x = [Float](repeating: 0, count: count * d)
      var y = [Int32](repeating: 0, count: count)
      var row = [Double](repeating: 0, count: d)
      for r in 0..<count {
        var dot = 0.0
        for j in 0..<d { row[j] = xStream.gaussian(); dot += row[j] * w[j] }
        let positive = dot >= 0
        let shift = separable ? margin * (positive ? 1 : -1) : 0
        for j in 0..<d { x[r * d + j] = Float(row[j] + shift * w[j]) }
        // The label is the side of the rounded point, so the stored data is separable exactly.
        var rounded = 0.0
        for j in 0..<d { rounded += Double(x[r * d + j]) * Double(weights[j]) }
        var label = separable ? rounded >= 0 : positive
        if noise > 0, flipStream.bernoulli(noise) { label.toggle() }
        y[r] = label ? 1 : 0
      }
      return Examples(count: count, featureCount: d, features: x, labels: y)
    }
  }
}
