import HSQCore

/// An IDX images file with its labels file, checked against each other.
struct IDXPair {
  let images: IDXArray
  let labels: IDXArray

  /// Reads both files and checks that they hold the same number of items.
  init(images imagesPath: String, labels labelsPath: String) throws {
    images = try IDXArray(path: imagesPath, rank: 2...255, holding: "images")
    labels = try IDXArray(path: labelsPath, rank: 1...1, holding: "labels")
    guard images.count == labels.count else {
      throw HSQError.fileFormat(
        path: labelsPath, position: labels.file.position(byte: 4),
        problem: "its header counts \(labels.count) labels, but '\(imagesPath)' counts \(images.count) images; give the labels file that belongs to these images.")
    }
  }

  /// The examples, features scaled by 1/255 when `scale` applies to 8-bit images.
  func examples(scaleBytes: Bool) throws -> Examples {
    let divisor: Float = scaleBytes && images.type == .uint8 ? 255 : 1
    return Examples(count: images.count, featureCount: images.itemSize, features: try images.floats(dividingBy: divisor), labels: try labels.labels())
  }

  /// A dataset from a training pair and an optional test pair (else a seeded split of the training pair).
  ///
  /// - Parameters:
  ///   - classCount: the number of classes when known (Fashion-MNIST: 10); labels must lie below it.
  ///     `nil` uses the largest label + 1.
  static func dataset(
    name: String, train: (images: String, labels: String), test: (images: String, labels: String)?,
    normalize: Normalization, testFraction: Double, seed: Int, classCount: Int? = nil
  ) throws -> Dataset {
    let trainPair = try IDXPair(images: train.images, labels: train.labels)
    let testPair = try test.map { try IDXPair(images: $0.images, labels: $0.labels) }
    if let test, let testPair, testPair.images.itemShape != trainPair.images.itemShape {
      let shape = { (s: [Int]) in s.map(String.init).joined(separator: "×") }
      throw HSQError.fileFormat(
        path: test.images, position: testPair.images.file.position(byte: 8),
        problem: "its images are \(shape(testPair.images.itemShape)), but the training images in '\(train.images)' are \(shape(trainPair.images.itemShape)); give test files from the same dataset.")
    }
    // 8-bit images scale by 1/255 while decoding; anything else is normalized afterwards.
    let scaleBytes = normalize == .scale && trainPair.images.type == .uint8 && (testPair?.images.type ?? .uint8) == .uint8
    var trainSet = try trainPair.examples(scaleBytes: scaleBytes)
    var testSet: Examples
    if let testPair {
      testSet = try testPair.examples(scaleBytes: scaleBytes)
    } else {
      let split = TrainTestSplit.indices(count: trainSet.count, testFraction: testFraction, seed: seed)
      testSet = trainSet.subset(split.test)
      trainSet = trainSet.subset(split.train)
    }
    guard trainSet.count > 0 else {
      throw HSQError.fileFormat(path: train.images, position: nil, problem: "it holds no training examples; give a file with at least one image.")
    }
    let largest = Int(max(trainSet.labels.max() ?? 0, testSet.labels.max() ?? 0))
    if let classCount, largest >= classCount {
      throw HSQError.fileFormat(path: train.labels, position: nil, problem: "a label is \(largest), but this dataset has \(classCount) classes (0...\(classCount - 1)); the labels file is not from this dataset.")
    }
    try ClassLabels.check(classCount: largest + 1, path: train.labels, counted: "the largest label + 1", fix: "give a file of class labels 0, 1, 2, …")
    let classes = classCount ?? largest + 1
    if !scaleBytes {
      normalize.apply(train: &trainSet.features, test: &testSet.features, featureCount: trainSet.featureCount)
    }
    return Dataset(
      name: name, task: Datasets.classificationTask(classCount: classes), classCount: classes,
      train: trainSet, test: testSet, featureShape: trainPair.images.itemShape)
  }
}
