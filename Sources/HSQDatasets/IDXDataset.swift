import HSQCore

/// Any image/label pair in the IDX format (MNIST, Fashion-MNIST, EMNIST, KMNIST), gzip or raw.
///
/// Give the training images and labels, and optionally the test pair; without
/// a test pair a seeded `test-fraction` of the training examples is held out.
/// Gzip is detected from the file's first bytes, not its name. Labels must be
/// integers ≥ 0; the class count is the largest label + 1. The feature shape
/// is the images' shape (`[28, 28]` for MNIST).
///
/// - Parameter train-images: path of the training images (IDX, rank ≥ 2).
/// - Parameter train-labels: path of the training labels (IDX, rank 1).
/// - Parameter test-images: path of the test images (with `test-labels`).
/// - Parameter test-labels: path of the test labels (with `test-images`).
/// - Parameter normalize: `scale` (default) divides 8-bit pixels by 255.
public struct IDXDataset: DatasetSource {
  public static let info = ComponentInfo(
    kind: .dataset, name: "idx",
    parameters: [
      .path("train-images", required: true, doc: "Path of the training images (IDX, rank >= 2, gzip or raw)."),
      .path("train-labels", required: true, doc: "Path of the training labels (IDX, rank 1, gzip or raw)."),
      .path("test-images", required: false, doc: "Path of the test images; give 'test-labels' too."),
      .path("test-labels", required: false, doc: "Path of the test labels; give 'test-images' too."),
      Normalization.parameter(default: .scale),
      Datasets.testFractionParameter,
      Datasets.seedParameter,
    ])

  public static func load(_ parameters: ParameterValues) throws -> Dataset {
    let testImages = parameters.optionalString("test-images")
    let testLabels = parameters.optionalString("test-labels")
    var test: (images: String, labels: String)?
    switch (testImages, testLabels) {
    case let (images?, labels?): test = (images, labels)
    case (nil, nil): test = nil
    case (_?, nil):
      throw HSQError.invalidParameter(component: "idx", parameter: "test-labels", problem: "'test-images' is given without it; give both test files or neither.")
    case (nil, _?):
      throw HSQError.invalidParameter(component: "idx", parameter: "test-images", problem: "'test-labels' is given without it; give both test files or neither.")
    }
    return try IDXPair.dataset(
      name: parameters.canonical,
      train: (parameters.string("train-images"), parameters.string("train-labels")), test: test,
      normalize: Normalization.from(parameters), testFraction: parameters.double("test-fraction"),
      seed: parameters.int("seed"))
  }
}
