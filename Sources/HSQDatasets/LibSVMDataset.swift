import HSQCore

/// A dataset in the sparse LIBSVM text format (`label index:value …`, indices from 1), gzip or plain.
///
/// Rows are stored densely with `features` columns; without `features` the
/// count is the largest index in the training and test files. For
/// classification the distinct labels, sorted, become classes 0..<K (so
/// `-1/+1` become 0/1 and the task is binary for K = 2); for
/// `task=regression` the labels are kept as targets. Without `test-path`, a
/// seeded `test-fraction` of the rows is held out.
///
/// - Parameter path: the training file.
/// - Parameter test-path: an optional test file (e.g. `a9a.t`).
/// - Parameter features: the number of features (≥ the largest index); inferred when absent.
/// - Parameter task: `classification` (default) or `regression`.
public struct LibSVMDataset: DatasetSource {
  public static let info = ComponentInfo(
    kind: .dataset, name: "libsvm",
    parameters: [
      .path("path", required: true, doc: "The training file (LIBSVM format, gzip or plain)."),
      .path("test-path", required: false, doc: "An optional test file in the same format (e.g. a9a.t)."),
      .int("features", 1...Datasets.maximumValues, default: nil, doc: "Number of features (>= the largest index); inferred when absent."),
      Datasets.taskParameter,
      Normalization.parameter(default: .none),
      Datasets.testFractionParameter,
      Datasets.seedParameter,
    ])

  public static func load(_ parameters: ParameterValues) throws -> Dataset {
    let features = parameters.optionalInt("features")
    let train = try LibSVMFile(path: parameters.string("path"), features: features)
    let test = try parameters.optionalString("test-path").map { try LibSVMFile(path: $0, features: features) }
    let width = features ?? max(train.maxIndex, test?.maxIndex ?? 0)
    guard width > 0 else {
      throw HSQError.fileFormat(path: train.path, position: nil, problem: "no row has a feature ('index:value'); give a file with features or set 'features'.")
    }
    return try LabeledRows.dataset(
      name: parameters.canonical, train: train.rows(featureCount: width), test: test?.rows(featureCount: width),
      task: parameters.string("task"), normalize: Normalization.from(parameters),
      testFraction: parameters.double("test-fraction"), seed: parameters.int("seed"))
  }
}
