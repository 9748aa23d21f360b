import Foundation
import HSQCore

/// How a model's output scores become a loss, a gradient and a prediction.
///
/// ```
/// squared   (regression, 1 score z):   ℓ = ½(z − y)²,                        ∂ℓ/∂z = z − y
/// logistic  (binary, 1 score z, y∈{0,1}): ℓ = log(1 + eᶻ) − y·z,              ∂ℓ/∂z = σ(z) − y
/// softmax   (K scores z, y∈0..<K):      ℓ = log Σⱼ e^{zⱼ} − z_y,               ∂ℓ/∂zⱼ = pⱼ − [j = y]
/// ```
///
/// The loss of a batch is the mean of ℓ over its rows, accumulated in
/// Double. Softmax subtracts the row maximum before exponentiating, and the
/// logistic loss is computed as `max(z, 0) − y·z + log1p(e^{−|z|})`, so
/// neither overflows. Predictions: the score (squared), `z > 0` (logistic),
/// the first arg-max (softmax).
public enum OutputLoss: Sendable, Hashable, CustomStringConvertible {
  case squared
  case logistic
  case softmax(classes: Int)

  /// The natural loss for `input`: squared for regression, softmax cross-entropy over its classes otherwise.
  public static func natural(for input: ModelInput) -> OutputLoss {
    input.task == .regression ? .squared : .softmax(classes: input.classCount)
  }

  /// Scores per example.
  public var width: Int {
    switch self {
    case .squared, .logistic: return 1
    case let .softmax(classes): return classes
    }
  }

  /// Whether predictions are classes (and an accuracy is defined).
  public var isClassification: Bool { self != .squared }

  public var description: String {
    switch self {
    case .squared: return "squared error"
    case .logistic: return "logistic loss"
    case let .softmax(classes): return "softmax cross-entropy over \(classes) classes"
    }
  }

  /// Sums the loss over `rows` and counts correct predictions; with `delta`, overwrites the
  /// scores with ∂(mean loss)/∂z, the mean taken over `rows.count`.
  ///
  /// - Throws: ``HSQError/invalidArgument(_:)`` for a label outside the classes.
  func apply(
    _ z: UnsafeMutablePointer<Float>, examples: Examples, rows: Range<Int>, delta: Bool, model: String
  ) throws -> (lossSum: Double, correct: Int) {
    let scale = 1 / Float(max(rows.count, 1))
    switch self {
    case .squared: return (Self.squaredLoss(z, examples.targets, rows: rows, delta: delta, scale: scale), 0)
    case .logistic: return try logisticLoss(z, examples.labels, rows: rows, delta: delta, scale: scale, model: model)
    case let .softmax(k): return try softmaxLoss(z, examples.labels, classes: k, rows: rows, delta: delta, scale: scale, model: model)
    }
  }

  /// ½(z − y)² summed over `rows`; with `delta`, z ← (z − y)·scale.
  private static func squaredLoss(_ z: UnsafeMutablePointer<Float>, _ targets: [Float], rows: Range<Int>, delta: Bool, scale: Float) -> Double {
    var lossSum = 0.0
    targets.withUnsafeBufferPointer { y in
      for r in 0..<rows.count {
        let e = z[r] - y[rows.lowerBound + r]
        lossSum += 0.5 * Double(e) * Double(e)
        if delta { z[r] = e * scale }
      }
    }
    return lossSum
  }

  /// The logistic loss of labels 0/1 and the correct count; with `delta`, z ← (σ(z) − y)·scale.
  private func logisticLoss(
    _ z: UnsafeMutablePointer<Float>, _ labels: [Int32], rows: Range<Int>, delta: Bool, scale: Float, model: String
  ) throws -> (lossSum: Double, correct: Int) {
    var lossSum = 0.0
    var correct = 0
    try labels.withUnsafeBufferPointer { y in
      for r in 0..<rows.count {
        let label = y[rows.lowerBound + r]
        guard label == 0 || label == 1 else { throw badLabel(label, row: rows.lowerBound + r, classes: 2, model: model) }
        let v = z[r], t = Float(label)
        lossSum += Double(max(v, 0) - t * v) + Double(log1p(exp(-abs(v))))
        if (v > 0) == (label == 1) { correct += 1 }
        if delta {
          let sigma = v >= 0 ? 1 / (1 + exp(-v)) : exp(v) / (1 + exp(v))
          z[r] = (sigma - t) * scale
        }
      }
    }
    return (lossSum, correct)
  }

  /// The cross-entropy of `k` classes and the correct count (first maximum on ties); with `delta`, z ← (softmax(z) − e_y)·scale.
  private func softmaxLoss(
    _ z: UnsafeMutablePointer<Float>, _ labels: [Int32], classes k: Int, rows: Range<Int>, delta: Bool, scale: Float, model: String
  ) throws -> (lossSum: Double, correct: Int) {
    var lossSum = 0.0
    var correct = 0
    try labels.withUnsafeBufferPointer { y in
      for r in 0..<rows.count {
        let label = Int(y[rows.lowerBound + r])
        guard label >= 0, label < k else { throw badLabel(Int32(label), row: rows.lowerBound + r, classes: k, model: model) }
        let row = z + r * k
        var best = 0
        var m = row[0]
        for j in 1..<k where row[j] > m { m = row[j]; best = j }
        if best == label { correct += 1 }
        var s: Float = 0
        for j in 0..<k { s += exp(row[j] - m) }
        lossSum += Double(log(s)) - Double(row[label] - m)
        if delta {
          let inv = scale / s
          for j in 0..<k { row[j] = exp(row[j] - m) * inv }
          row[label] -= scale
        }
      }
    }
    return (lossSum, correct)
  }

  private func badLabel(_ label: Int32, row: Int, classes: Int, model: String) -> HSQError {
    .invalidArgument(
      "Example \(row) has label \(label) but model '\(model)' predicts \(classes) classes (0...\(classes - 1)); build the model for this dataset.")
  }
}
