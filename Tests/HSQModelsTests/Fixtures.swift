import HSQCore
import HSQModels

/// Small seeded problems for every task, so a registered model is checked on every input it accepts.
struct Problem: CustomStringConvertible {
  let name: String
  let input: ModelInput
  let examples: Examples

  var description: String { name }
}

enum Fixtures {
  /// Every registered model with default parameters, plus variants that exercise each option.
  static let specs: [String] = Models.registry.names + [
    "least-squares:bias=false", "logistic:bias=false,init=xavier", "softmax:init=xavier",
    "mlp:hidden=6-5,activation=tanh", "mlp:hidden=4,activation=sigmoid", "mlp:hidden=none",
    "cnn:channels=3,kernel=3,hidden=4",
  ]

  /// Inputs of every task, flat and image-shaped.
  static let inputs: [(String, ModelInput)] = [
    ("regression d=5", ModelInput(featureCount: 5, task: .regression)),
    ("binary d=5", ModelInput(featureCount: 5, task: .binary)),
    ("3 classes d=5", ModelInput(featureCount: 5, task: .multiclass, classCount: 3)),
    ("3 classes 2×8×8", ModelInput(featureShape: [2, 8, 8], task: .multiclass, classCount: 3)),
    ("regression 7×7", ModelInput(featureShape: [7, 7], task: .regression)),
  ]

  /// `count` examples for `input`: N(0, 1) features, targets from a random linear map plus noise,
  /// labels from the arg-max of a random linear map (so they are learnable).
  static func examples(for input: ModelInput, count: Int, seed: UInt64) -> Examples {
    var rng = RandomStream(seed: seed)
    let d = input.featureCount
    let features = (0..<(count * d)).map { _ in Float(rng.gaussian()) }
    let outputs = max(input.classCount, 1)
    let map = (0..<(d * outputs)).map { _ in rng.gaussian() / Double(d).squareRoot() }
    var labels: [Int32] = [], targets: [Float] = []
    for i in 0..<count {
      var scores = [Double](repeating: 0, count: outputs)
      for j in 0..<d { for k in 0..<outputs { scores[k] += Double(features[i * d + j]) * map[j * outputs + k] } }
      switch input.task {
      case .regression: targets.append(Float(scores[0] + 0.3 * rng.gaussian()))
      case .binary: labels.append(scores[0] + 0.3 * rng.gaussian() > 0 ? 1 : 0)
      case .multiclass:
        labels.append(Int32(scores.indices.max { scores[$0] < scores[$1] }!))
      }
    }
    return Examples(count: count, featureCount: d, features: features, labels: labels, targets: targets)
  }

  /// The problems `spec` accepts (building the model for each input), with their models.
  static func accepted(_ spec: String, count: Int = 7, seed: UInt64 = 1) throws -> [(problem: Problem, model: any Model)] {
    let factory = try Models.factory(spec)
    return inputs.enumerated().compactMap { index, entry in
      guard let model = try? factory.make(for: entry.1) else { return nil }
      let examples = examples(for: entry.1, count: count, seed: seed &+ UInt64(index))
      return (Problem(name: "\(spec) on \(entry.0)", input: entry.1, examples: examples), model)
    }
  }

  /// Initial parameters plus N(0, σ²) noise, so biases and zero-initialized weights are generic.
  static func parameters(for model: any Model, seed: UInt64, noise: Double = 0.3) -> [[Float]] {
    var rng = RandomStream(seed: seed)
    return model.initialParameters(rng: &rng).map { layer in layer.map { $0 + Float(noise * rng.gaussian()) } }
  }
}

/// Double-precision helpers for the reference computations.
enum Reference {
  static func norm(_ x: [Float]) -> Double { Vec.squaredNorm(x).squareRoot() }

  static func dot(_ a: [[Float]], _ b: [[Float]]) -> Double {
    zip(a, b).reduce(0) { $0 + Vec.dot($1.0, $1.1) }
  }

  /// `AᵀA/n` with `A = [X 1]` (or `X`), by plain loops.
  static func gram(_ e: Examples, bias: Bool) -> [[Double]] {
    let d = e.featureCount, dim = d + (bias ? 1 : 0)
    var g = [[Double]](repeating: [Double](repeating: 0, count: dim), count: dim)
    for i in 0..<e.count {
      let row = (0..<dim).map { j in j < d ? Double(e.features[i * d + j]) : 1 }
      for a in 0..<dim { for b in 0..<dim { g[a][b] += row[a] * row[b] / Double(e.count) } }
    }
    return g
  }

  /// Eigenvalues of a symmetric matrix by cyclic Jacobi rotations (independent of the model's solver).
  static func jacobiEigenvalues(_ matrix: [[Double]]) -> [Double] {
    var a = matrix
    let n = a.count
    for _ in 0..<100 {
      var off = 0.0
      for p in 0..<n { for q in 0..<n where p != q { off += a[p][q] * a[p][q] } }
      if off < 1e-30 { break }
      for p in 0..<n {
        for q in (p + 1)..<n where a[p][q] != 0 {
          let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
          let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
          let c = 1 / (t * t + 1).squareRoot(), s = t * c
          for k in 0..<n {
            let akp = a[k][p], akq = a[k][q]
            a[k][p] = c * akp - s * akq
            a[k][q] = s * akp + c * akq
          }
          for k in 0..<n {
            let apk = a[p][k], aqk = a[q][k]
            a[p][k] = c * apk - s * aqk
            a[q][k] = s * apk + c * aqk
          }
        }
      }
    }
    return (0..<n).map { a[$0][$0] }.sorted()
  }
}
