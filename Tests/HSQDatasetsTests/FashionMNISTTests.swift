import Foundation
import HSQCore
import HSQDatasets
import HSQTestSupport
import Testing

@Suite("fashion-mnist")
struct FashionMNISTTests {
  @Test(
    "The real Fashion-MNIST loads with its shapes and a balanced label histogram",
    .requires("the Fashion-MNIST files (apt-get install dataset-fashion-mnist)", FashionMNISTDataset.isInstalled()))
  func loadsTheRealFiles() throws {
    let clock = ContinuousClock()
    let start = clock.now
    let data = try Datasets.load("fashion-mnist")
    let elapsed = clock.now - start
    print("fashion-mnist loaded in \(elapsed)")
    #expect(data.train.count == 60000)
    #expect(data.test.count == 10000)
    #expect(data.train.featureCount == 784)
    #expect(data.featureShape == [28, 28])
    #expect(data.classCount == 10)
    #expect(data.task == .multiclass)
    #expect(histogram(data.train.labels, classCount: 10) == [Int](repeating: 6000, count: 10))
    #expect(histogram(data.test.labels, classCount: 10) == [Int](repeating: 1000, count: 10))
    // The first training and test images are ankle boots (class 9).
    #expect(data.train.labels.first == 9)
    #expect(data.test.labels.first == 9)
    let (lo, hi) = (data.train.features.min()!, data.train.features.max()!)
    #expect(lo == 0 && hi == 1)
    #expect(data.train.features.allSatisfy { abs(($0 * 255).rounded() - $0 * 255) < 1e-3 })
  }

  @Test(
    "normalize=none keeps the raw pixel values 0...255",
    .requires("the Fashion-MNIST files (apt-get install dataset-fashion-mnist)", FashionMNISTDataset.isInstalled()))
  func rawPixels() throws {
    let data = try Datasets.load("fashion-mnist:normalize=none")
    #expect(data.test.features.max() == 255)
    #expect(data.test.features.allSatisfy { $0.rounded() == $0 && $0 >= 0 })
  }

  @Test("A missing install gives one error naming the package and the 'path' option")
  func missingInstall() throws {
    let missing = "/nonexistent/fashion-mnist"
    let error = fileFormatError { _ = try Datasets.load("fashion-mnist:path=\(missing)") }
    #expect(error?.path == missing)
    #expect(error?.message.contains("apt-get install dataset-fashion-mnist") == true)
    #expect(error?.message.contains("train-images-idx3-ubyte.gz") == true)
    #expect(FashionMNISTDataset.isInstalled(in: missing) == false)
  }
}
