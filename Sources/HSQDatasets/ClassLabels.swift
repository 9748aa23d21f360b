import HSQCore

/// Maps raw label values (numbers or names) to classes `0..<K` in sorted order.
///
/// Labels `-1, +1` become classes 0, 1; `setosa, versicolor, virginica`
/// become 0, 1, 2. The same mapping is used for train and test, so a label
/// seen only in the test file still gets its own class.
enum ClassLabels {
  /// More distinct labels than this is almost surely a regression file.
  static let maximumClasses = 10_000

  /// The class of each value, and the sorted distinct values.
  static func encode<Value: Hashable & Comparable>(_ values: [Value]) -> (codes: [Int32], classes: [Value]) {
    let classes = Array(Set(values)).sorted()
    var index = [Value: Int32](minimumCapacity: classes.count)
    for (k, v) in classes.enumerated() { index[v] = Int32(k) }
    return (values.map { index[$0]! }, classes)
  }

  /// Throws when `classCount` is implausible for classification; every dataset format calls this.
  ///
  /// - Parameters:
  ///   - counted: how the classes were counted, e.g. `distinct labels` or `the largest label + 1`.
  ///   - fix: what to do about it, e.g. `if the labels are real-valued targets, add 'task=regression'`.
  static func check(
    classCount: Int, path: String, counted: String = "distinct labels",
    fix: String = "if the labels are real-valued targets, add 'task=regression'"
  ) throws {
    guard classCount <= maximumClasses else {
      throw HSQError.fileFormat(
        path: path, position: nil,
        problem: "it has \(classCount) classes (\(counted)), too many for classification (at most \(maximumClasses)); \(fix).")
    }
  }
}
