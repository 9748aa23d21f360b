import Foundation
import HSQCore

/// The dataset registry: every built-in source plus those researchers register.
public enum Datasets {
  /// All registered dataset sources by name.
  public static let registry: ComponentTable<Dataset> = {
    let table = ComponentTable<Dataset>(kind: .dataset)
    for type in builtinDatasetTypes {
      do { try table.register(type.info.documented(by: builtinDocComments["\(type)"])) { try type.load($0) } } catch {
        preconditionFailure("built-in dataset \(type) failed to register: \(error)")
      }
    }
    return table
  }()

  /// Loads the dataset spelled `name:key=value,…`, e.g. `linear:d=64,condition=1000`.
  public static func load(_ spec: String) throws -> Dataset {
    try registry.make(spec)
  }

  /// The validated parameters of `spec` (defaults filled in), e.g. for `LinearDataset.generate(_:)`.
  public static func parameters(_ spec: String) throws -> ParameterValues {
    try registry.values(for: ComponentRequest(parsing: spec))
  }

  /// Registers a dataset source.
  ///
  /// - Throws: ``HSQError/duplicateName(kind:name:)`` when its name is taken.
  public static func register(_ type: any DatasetSource.Type) throws {
    try registry.register(type.info) { try type.load($0) }
  }

  /// The dataset to use when none is named: the real Fashion-MNIST when it is
  /// installed, else the embedded synthetic `gaussian-mixture` with the same
  /// shape (784 features, 10 classes), so a session works on any machine.
  public static var defaultSpec: String {
    FashionMNISTDataset.isInstalled() ? "fashion-mnist" : syntheticDefaultSpec
  }

  /// The embedded stand-in for Fashion-MNIST: 10 Gaussian classes in 784 dimensions.
  public static let syntheticDefaultSpec = "gaussian-mixture:classes=10,d=784,n=6000,n-test=1000,separation=4"

  // MARK: - Parameters shared by several sources

  /// `seed`: the seed of a generator or of a train/test split.
  static let seedParameter = ParameterSpec.int(
    "seed", 0...Int(Int32.max), default: 0,
    doc: "Seed of the generator and of any train/test split; the same seed gives bit-identical data.")

  /// `test-fraction`: the held-out share for files that have no test set.
  static let testFractionParameter = ParameterSpec.double(
    "test-fraction", 0...0.9, default: 0.2,
    doc: "Fraction held out as the test set (a seeded split) when no test file is given.")

  /// `task` for tabular files.
  static let taskParameter = ParameterSpec.choice(
    "task", ["classification", "regression"], default: "classification",
    doc: "classification maps the distinct labels to classes 0..<K (sorted); regression keeps them as targets.")

  /// `n-test` for generators.
  static func testCountParameter(default value: Int) -> ParameterSpec {
    .int("n-test", 0...10_000_000, default: value, doc: "Number of test examples, drawn from the same distribution as the training ones.")
  }

  /// The task for `classCount` classes: binary for 2, multiclass otherwise.
  static func classificationTask(classCount: Int) -> HSQCore.Task {
    classCount == 2 ? .binary : .multiclass
  }

  /// The largest feature matrix a dataset may hold (2³⁰ Floats, 4 GiB).
  static let maximumValues = 1 << 30

  /// Throws unless `rows × features` Float32 values, held about three times while loading (the matrix,
  /// train and test joined, the split's copies), plus `extra`, fit the ``MemoryBudget``; every format calls this
  /// before it allocates its features.
  ///
  /// - Parameters:
  ///   - what: the subject of the message: `'path'` or `The dataset 'spec'`.
  ///   - fix: what lowers the estimate, e.g. `Lower 'n' or 'd'`.
  static func checkMemory(rows: Int, features: Int, extra: MemoryEstimate = .zero, of what: String, fix: String) throws {
    try MemoryBudget.current.check(
      3 * .floats(rows, features) + extra, for: what,
      detail: "\(rows) rows × \(features) features as Float32, held about three times while loading", fix: fix)
  }
}
