import HSQCore

/// A dataset in a delimited text file: one example per row, one column of labels, the rest numeric features.
///
/// `label-column` picks the label by header name, by column number (from 1),
/// or `first`/`last` (default). Whether the first row is a header is detected
/// (`header=auto`: it is when one of its cells is text where the next row
/// holds a number) or set. For classification the distinct labels, sorted,
/// become classes 0..<K (labels may be names such as `setosa`); for
/// `task=regression` they must be numbers and are kept as targets. Without
/// `test-path`, a seeded `test-fraction` of the rows is held out.
///
/// - Parameter path: the training file.
/// - Parameter test-path: an optional test file with the same columns.
/// - Parameter label-column: header name, column number from 1, `first` or `last`.
/// - Parameter header: `auto` (default), `true` or `false`.
/// - Parameter delimiter: `comma` (default), `semicolon` or `tab`.
public struct CSVDataset: DatasetSource {
  public static let info = ComponentInfo(
    kind: .dataset, name: "csv",
    parameters: [
      .path("path", required: true, doc: "The training file (gzip or plain text)."),
      .path("test-path", required: false, doc: "An optional test file with the same columns."),
      .string("label-column", default: "last", doc: "The label column: a header name, a column number from 1, 'first' or 'last'."),
      .choice("header", ["auto", "true", "false"], default: "auto", doc: "Whether the first row names the columns; auto detects it."),
      .choice("delimiter", ["comma", "semicolon", "tab"], default: "comma", doc: "The cell separator."),
      Datasets.taskParameter,
      Normalization.parameter(default: .none),
      Datasets.testFractionParameter,
      Datasets.seedParameter,
    ])

  public static func load(_ parameters: ParameterValues) throws -> Dataset {
    let delimiter: UInt8 = switch parameters.string("delimiter") {
    case "semicolon": UInt8(ascii: ";")
    case "tab": UInt8(ascii: "\t")
    default: UInt8(ascii: ",")
    }
    let header: Bool? = switch parameters.string("header") {
    case "true": true
    case "false": false
    default: nil
    }
    let regression = parameters.string("task") == "regression"
    let train = try CSVFile(path: parameters.string("path"), delimiter: delimiter, header: header)
    let labelColumn = try train.column(named: parameters.string("label-column"))
    var test: LabeledRows?
    if let testPath = parameters.optionalString("test-path") {
      let file = try CSVFile(path: testPath, delimiter: delimiter, header: header ?? (train.header != nil))
      guard file.columns == train.columns else {
        throw HSQError.fileFormat(
          path: testPath, position: "line \(file.rows.first?.line ?? 1)",
          problem: "the rows have \(file.columns) cells, but the training file '\(train.path)' has \(train.columns); give a test file with the same columns.")
      }
      test = try file.rows(labelColumn: labelColumn, numericLabels: regression)
    }
    return try LabeledRows.dataset(
      name: parameters.canonical, train: train.rows(labelColumn: labelColumn, numericLabels: regression), test: test,
      task: parameters.string("task"), normalize: Normalization.from(parameters),
      testFraction: parameters.double("test-fraction"), seed: parameters.int("seed"))
  }
}
