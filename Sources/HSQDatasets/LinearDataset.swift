import Foundation
import HSQCore

/// Synthetic least squares with a chosen condition number: `y = x·w* + noise·ε`.
///
/// ```
/// s_i  = condition^(−i / (2(d−1)))          i = 0..<d, log-spaced from 1 to 1/√condition
/// V    = Haar-random d×d orthogonal matrix
/// x    = z · diag(s) · Vᵀ                   z ~ N(0, I_d)   (population covariance V diag(s²) Vᵀ)
/// w*   = a uniformly random unit vector,    ε ~ N(0, 1)
/// ```
///
/// With `whiten=true` (default) the training rows are `z · L⁻ᵀ · diag(s) · Vᵀ`
/// where `L Lᵀ = zᵀz/n`, so the training Hessian `XᵀX/n` equals `V diag(s²) Vᵀ`
/// exactly (up to Float32 rounding): its eigenvalues run from 1 to 1/condition and
/// its condition number is `condition`. With `whiten=false` the rows are plain
/// Gaussian and the sample condition number is only near `condition` (within the
/// Marchenko–Pastur factor `((1 + √(d/n)) / (1 − √(d/n)))²`). Test rows are always
/// drawn from the population. Cost `O((n + n-test)·d² + d³)`: in a release
/// build d = 256, n = 10 000 takes 0.4 s and d = 784, n = 20 000 about 5 s.
/// ``generate(_:)`` also returns `w*` and the spectrum.
///
/// - Parameter d: number of features.
/// - Parameter condition: κ, the ratio of the largest to the smallest eigenvalue of `XᵀX` (1 = isotropic).
/// - Parameter noise: standard deviation of the label noise (0 = realizable).
public struct LinearDataset: DatasetSource {
  public static let info = ComponentInfo(
    kind: .dataset, name: "linear",
    parameters: [
      .int("d", 1...65536, default: 64, doc: "Number of features."),
      .int("n", 1...10_000_000, default: 1024, doc: "Number of training examples (n >= d when whiten=true)."),
      Datasets.testCountParameter(default: 256),
      .double("condition", 1...1e12, default: 100, doc: "Condition number of XᵀX: eigenvalues log-spaced from 1 to 1/condition."),
      .double("noise", 0...1e6, default: 0.1, doc: "Standard deviation of the Gaussian label noise (0 = realizable)."),
      .bool("whiten", default: true, doc: "Whiten the training rows so XᵀX/n has exactly the chosen spectrum."),
      Datasets.seedParameter,
      Normalization.parameter(default: .none),
    ])

  /// The dataset with what generated it.
  public struct Generated: Sendable, Hashable {
    public let dataset: Dataset
    /// w*, the unit-norm weights the targets come from.
    public let trueWeights: [Float]
    /// The eigenvalues of the population covariance `V diag(s²) Vᵀ`, largest first (of `XᵀX/n` when whitened).
    public let eigenvalues: [Double]
  }

  public static func load(_ parameters: ParameterValues) throws -> Dataset {
    try generate(parameters).dataset
  }

  /// Generates the dataset and returns it with `w*` and the spectrum.
  public static func generate(_ parameters: ParameterValues) throws -> Generated {
    let d = parameters.int("d"), n = parameters.int("n"), nTest = parameters.int("n-test")
    let condition = parameters.double("condition"), noise = parameters.double("noise")
    let whiten = parameters.bool("whiten"), seed = UInt64(parameters.int("seed"))
    try checkParameters(parameters, d: d, n: n, nTest: nTest, condition: condition, whiten: whiten)
    let (s, scaledRotation) = featureMap(d: d, condition: condition, seed: seed)

    var weightStream = RandomStream.derived(from: seed, purpose: "linear-weights")
    var w = (0..<d).map { _ in weightStream.gaussian() }
    let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
    w = w.map { $0 / norm }
    let weights = w.map { Float($0) }

    func examples(_ count: Int, split: Int, whitened: Bool) throws -> Examples {
      var zStream = RandomStream.derived(from: seed, purpose: "linear-features", split)
      let z = (0..<(count * d)).map { _ in zStream.gaussian() }
      var map = scaledRotation
      if whitened {
        let gram = DenseAlgebra.gram(z, rows: count, columns: d).map { $0 / Double(count) }
        guard let l = DenseAlgebra.cholesky(gram, d) else {
          throw HSQError.invalidParameter(component: "linear", parameter: "n", problem: "the \(count) training rows are too few to whiten \(d) features; raise n or set whiten=false.")
        }
        map = DenseAlgebra.multiply(DenseAlgebra.inverseTranspose(lower: l, d), scaledRotation, n: d, k: d, m: d)
      }
      let x = DenseAlgebra.multiply(z, map, n: count, k: d, m: d).map { Float($0) }
      var noiseStream = RandomStream.derived(from: seed, purpose: "linear-noise", split)
      var y = [Float](repeating: 0, count: count)
      for r in 0..<count {
        var dot = 0.0
        for j in 0..<d { dot += Double(x[r * d + j]) * Double(weights[j]) }
        y[r] = Float(dot + noise * noiseStream.gaussian())
      }
      return Examples(count: count, featureCount: d, features: x, targets: y)
    }

    var train = try examples(n, split: 0, whitened: whiten)
    var test = try examples(nTest, split: 1, whitened: false)
    Normalization.from(parameters).apply(train: &train.features, test: &test.features, featureCount: d)
    let dataset = Dataset(name: parameters.canonical, task: .regression, classCount: 0, train: train, test: test)
    return Generated(dataset: dataset, trueWeights: weights, eigenvalues: s.map { $0 * $0 })
  }

  /// The combinations of parameters no dataset can be generated for, and the memory check.
  private static func checkParameters(_ parameters: ParameterValues, d: Int, n: Int, nTest: Int, condition: Double, whiten: Bool) throws {
    guard d > 1 || condition == 1 else {
      throw HSQError.invalidParameter(component: "linear", parameter: "condition", problem: "with d = 1 the condition number is 1; set condition=1 or d >= 2.")
    }
    guard !whiten || n >= d else {
      throw HSQError.invalidParameter(component: "linear", parameter: "n", problem: "whitening needs at least d = \(d) training examples, got \(n); raise n or set whiten=false.")
    }
    guard (n + nTest) * d <= Datasets.maximumValues else {
      throw HSQError.invalidParameter(component: "linear", parameter: "n", problem: "(n + n-test)·d is more than 2^30 values; lower n or d.")
    }
    try Datasets.checkMemory(rows: n + nTest, features: d, extra: .elements(n + nTest, d, size: 8) + .elements(4, d, d, size: 8), of: "The dataset '\(parameters.canonical)'", fix: "Lower 'n', 'n-test' or 'd'")
  }

  /// The singular values s (s₀ = 1 down to 1/√condition) and the map diag(s)·Vᵀ, V a random orthogonal matrix.
  private static func featureMap(d: Int, condition: Double, seed: UInt64) -> (s: [Double], map: [Double]) {
    let s = (0..<d).map { d == 1 ? 1.0 : pow(condition, -Double($0) / Double(2 * (d - 1))) }
    var rotationStream = RandomStream.derived(from: seed, purpose: "linear-rotation")
    let v = Matrix.randomOrthogonal(d, &rotationStream).storage
    var scaledRotation = [Double](repeating: 0, count: d * d)
    for i in 0..<d { for j in 0..<d { scaledRotation[i * d + j] = s[i] * v[j * d + i] } }
    return (s, scaledRotation)
  }
}
