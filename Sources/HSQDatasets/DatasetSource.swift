import HSQCore

/// A named source of a dataset: a file format, a real dataset or a synthetic generator.
///
/// A source declares its parameters in ``Component/info`` and builds a
/// ``Dataset`` from validated values. Adding a dataset touches one file plus
/// one line in `BuiltinDatasets.swift` (or a call to ``Datasets/register(_:)``).
public protocol DatasetSource: Component {
  /// Loads or generates the dataset described by `parameters`.
  ///
  /// - Parameter parameters: values validated against `info.parameters`, defaults filled in.
  /// - Returns: the train and test examples, with task, class count and feature shape.
  /// - Throws: ``HSQError`` naming the file, position and fix for unreadable or malformed input.
  static func load(_ parameters: ParameterValues) throws -> Dataset
}
