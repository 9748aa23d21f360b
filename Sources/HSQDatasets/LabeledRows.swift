import HSQCore

/// Rows read from a text file (LIBSVM, CSV): dense features and the labels as written.
struct LabeledRows {
  /// Labels as written: numbers when every label parses as one, else names.
  enum RawLabels {
    case numbers([Double])
    case names([String])
  }

  let path: String
  var count: Int
  var featureCount: Int
  /// `count × featureCount`, row-major.
  var features: [Float]
  var labels: RawLabels

  /// Numbers when every text parses as a finite number, else the texts.
  static func rawLabels(_ texts: [String]) -> RawLabels {
    var numbers = [Double]()
    numbers.reserveCapacity(texts.count)
    for t in texts {
      guard let v = Double(t), v.isFinite else { return .names(texts) }
      numbers.append(v)
    }
    return .numbers(numbers)
  }

  /// Builds a dataset from training rows and optional test rows (else a seeded split).
  ///
  /// - Parameters:
  ///   - task: `classification` (labels → classes 0..<K in sorted order, shared by
  ///     train and test) or `regression` (labels kept as Float targets).
  static func dataset(
    name: String, train: LabeledRows, test: LabeledRows?, task: String,
    normalize: Normalization, testFraction: Double, seed: Int
  ) throws -> Dataset {
    let trainCount = train.count
    var features = train.features
    if let test {
      precondition(test.featureCount == train.featureCount, "caller aligns feature counts")
      features += test.features
    }
    let all = train.count + (test?.count ?? 0)
    let (labels, targets, classCount) = try encodeLabels([train] + (test.map { [$0] } ?? []), task: task, path: train.path)
    let everything = Examples(count: all, featureCount: train.featureCount, features: features, labels: labels, targets: targets)
    var trainSet: Examples, testSet: Examples
    if test != nil {
      trainSet = everything.subset(Array(0..<trainCount))
      testSet = everything.subset(Array(trainCount..<all))
    } else {
      let split = TrainTestSplit.indices(count: trainCount, testFraction: testFraction, seed: seed)
      trainSet = everything.subset(split.train)
      testSet = everything.subset(split.test)
    }
    guard trainSet.count > 0 else {
      throw HSQError.fileFormat(path: train.path, position: nil, problem: "it holds no training examples; give a file with at least one row (or lower 'test-fraction').")
    }
    normalize.apply(train: &trainSet.features, test: &testSet.features, featureCount: trainSet.featureCount)
    let taskValue: HSQCore.Task = task == "regression" ? .regression : Datasets.classificationTask(classCount: classCount)
    return Dataset(name: name, task: taskValue, classCount: classCount, train: trainSet, test: testSet)
  }

  /// The labels of `parts` (train, then test) as targets (`regression`) or as class codes
  /// 0..<K in sorted order shared by all parts; `path` names the training file in errors.
  private static func encodeLabels(
    _ parts: [LabeledRows], task: String, path: String
  ) throws -> (labels: [Int32], targets: [Float], classCount: Int) {
    var labels: [Int32] = []
    var targets: [Float] = []
    var classCount = 0
    if task == "regression" {
      for rows in parts {
        guard case let .numbers(values) = rows.labels else {
          let bad = rows.labels.texts.first { Double($0)?.isFinite != true } ?? ""
          throw HSQError.fileFormat(
            path: rows.path, position: nil,
            problem: "the label '\(clipped(bad, limit: fileTextLimit))' is not a number, but 'task=regression' needs numeric targets; fix the label or use 'task=classification'.")
        }
        targets += values.map { Float($0) }
      }
    } else {
      let numbers = parts.compactMap { rows -> [Double]? in if case let .numbers(v) = rows.labels { return v } else { return nil } }
      if numbers.count == parts.count {
        let (codes, classes) = ClassLabels.encode(numbers.flatMap { $0 })
        labels = codes
        classCount = classes.count
      } else {
        let (codes, classes) = ClassLabels.encode(parts.flatMap(\.labels.texts))
        labels = codes
        classCount = classes.count
      }
      try ClassLabels.check(classCount: classCount, path: path)
    }
    return (labels, targets, classCount)
  }
}

extension LabeledRows.RawLabels {
  /// The labels as text (numbers printed back).
  var texts: [String] {
    switch self {
    case let .numbers(v): return v.map { formatNumber($0) }
    case let .names(t): return t
    }
  }
}
