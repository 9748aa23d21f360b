import HSQCore

/// A rule that splits a training set across workers: each worker gets a fixed list of example indices.
///
/// The contract (checked for every registered partition by the tests):
/// * every index `0..<count` appears in exactly one worker's list, each list ascending;
/// * every worker gets at least one example (so `workers ≤ count`);
/// * the same labels, worker count and seed give the same lists.
///
/// Regression data has no labels: ``assign(_:workers:seed:)`` gives label-aware
/// partitions (`dirichlet`, `shards`) ``Partitions/regressionBins`` equal-count
/// bins of the sorted targets as labels, so a skewed worker sees a skewed range
/// of targets. `iid` ignores labels.
public protocol Partitioner: Sendable {
  /// The canonical spelling, e.g. `dirichlet:alpha=0.5`.
  var name: String { get }

  /// The example indices of each worker.
  ///
  /// - Parameters:
  ///   - labels: the class of each training example (`0...`); only the count matters to `iid`.
  ///   - workers: the number of workers N ≥ 1.
  ///   - seed: the root seed; streams are derived from it per purpose.
  /// - Returns: N ascending index lists that together hold every index once.
  /// - Throws: ``HSQError/invalidArgument(_:)`` when the examples cannot be split as asked.
  func assign(labels: [Int32], workers: Int, seed: UInt64) throws -> [[Int]]
}

/// A partition type that can be registered: it declares itself and builds from parameters.
public protocol PartitionerComponent: Partitioner, Component {
  init(_ parameters: ParameterValues) throws
}

extension Partitioner {
  /// The example indices of each worker for `examples` (labels, or target bins for regression).
  public func assign(_ examples: Examples, workers: Int, seed: UInt64) throws -> [[Int]] {
    let labels = examples.labels.isEmpty
      ? Partitions.binLabels(examples.targets, bins: Partitions.regressionBins)
      : examples.labels
    return try assign(labels: labels, workers: workers, seed: seed)
  }

  /// Throws unless `count` examples can give each of `workers` workers at least one.
  func checkWorkers(_ workers: Int, count: Int) throws {
    guard workers >= 1 else {
      throw HSQError.invalidArgument("Cannot split a dataset across \(workers) workers; use at least 1.")
    }
    guard workers <= count else {
      throw HSQError.invalidArgument(
        "Cannot split \(count) examples across \(workers) workers: every worker needs at least one example; use at most \(count) workers or a larger dataset.")
    }
  }

  /// The indices of each class, in index order (`classes[k]` for label k).
  func indicesByClass(_ labels: [Int32]) throws -> [[Int]] {
    var classes: [[Int]] = []
    for (i, label) in labels.enumerated() {
      guard label >= 0 else {
        throw HSQError.invalidArgument("Example \(i) has label \(label); partitions need class labels 0 or more.")
      }
      let k = Int(label)
      if k >= classes.count { classes.append(contentsOf: repeatElement([], count: k + 1 - classes.count)) }
      classes[k].append(i)
    }
    return classes
  }
}
