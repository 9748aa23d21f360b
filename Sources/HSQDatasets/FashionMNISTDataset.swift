import Foundation
import HSQCore

/// Fashion-MNIST: 70 000 grayscale 28×28 images of clothing in 10 classes (Xiao, Rasul & Vollgraf, 2017).
///
/// The real files from Debian's `dataset-fashion-mnist` package, read from
/// `/usr/share/datasets/fashion-mnist` (`train-images-idx3-ubyte.gz`,
/// `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`,
/// `t10k-labels-idx1-ubyte.gz`; uncompressed copies without `.gz` work too).
/// 60 000 training and 10 000 test examples, 6 000 and 1 000 per class;
/// 784 features in row-major pixel order, `featureShape` `[28, 28]`, scaled
/// to [0, 1] by default. Install with `apt-get install dataset-fashion-mnist`,
/// or point `path` at a directory holding the four files.
///
/// - Parameter path: the directory of the four files (default `/usr/share/datasets/fashion-mnist`).
/// - Parameter normalize: `scale` (default) divides pixels by 255.
public struct FashionMNISTDataset: DatasetSource {
  /// Where Debian's `dataset-fashion-mnist` installs the files.
  public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
  /// The four file names, without `.gz`.
  static let files = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

  public static let info = ComponentInfo(
    kind: .dataset, name: "fashion-mnist",
    parameters: [
      .path("path", required: false, doc: "Directory of the four files (default /usr/share/datasets/fashion-mnist)."),
      Normalization.parameter(default: .scale),
    ])

  /// Whether the four files are present in `directory`.
  public static func isInstalled(in directory: String = defaultDirectory) -> Bool {
    files.allSatisfy { locate($0, in: directory) != nil }
  }

  public static func load(_ parameters: ParameterValues) throws -> Dataset {
    let directory = parameters.optionalString("path") ?? defaultDirectory
    let found = files.map { locate($0, in: directory) }
    let missing = zip(files, found).filter { $0.1 == nil }.map { $0.0 + ".gz" }
    guard missing.isEmpty else {
      let fix = parameters.optionalString("path") == nil
        ? "install it with 'apt-get install dataset-fashion-mnist', or give the directory of your copy with 'fashion-mnist:path=…'."
        : "give the directory that holds the four Fashion-MNIST files, or drop 'path' to use the Debian package ('apt-get install dataset-fashion-mnist')."
      throw HSQError.fileFormat(
        path: directory, position: nil,
        problem: "Fashion-MNIST is not there (missing \(missing.joined(separator: ", "))); \(fix)")
    }
    let paths = found.map { $0! }
    return try IDXPair.dataset(
      name: parameters.canonical, train: (paths[0], paths[1]), test: (paths[2], paths[3]),
      normalize: Normalization.from(parameters), testFraction: 0, seed: 0, classCount: 10)
  }

  /// The path of `name.gz` or `name` in `directory`, whichever exists.
  static func locate(_ name: String, in directory: String) -> String? {
    let base = URL(fileURLWithPath: directory).appendingPathComponent(name).path
    for candidate in [base + ".gz", base] where FileManager.default.fileExists(atPath: candidate) {
      return candidate
    }
    return nil
  }
}
