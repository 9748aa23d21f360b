import Foundation
import HSQCore
import HSQDatasets
import HSQTestSupport
import Testing

/// Sizes a file or a spec controls are checked against the memory budget before anything is allocated.
///
/// Each reproduction of issue 11 is scaled to a small budget bound to the test (a task-local value,
/// no process-wide state), so that before the fix it merely allocated a little and failed the expectation.
@Suite struct DatasetMemoryBudgetTests {
  static let small = MemoryBudget(bytes: 64 << 20, origin: "test")

  /// The memory-limit message `body` gives under `budget` (the small one by default).
  static func overBudget(_ budget: MemoryBudget = small, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    overMemoryBudget(budget, body, sourceLocation: sourceLocation)
  }

  /// Ten 2×2 byte images and int32 labels with one label set to `label`.
  static func labelsDataset(label: Int32, in dir: TemporaryDirectory) throws -> String {
    let images = try dir.write("images-\(label)", idxBytes(type: 0x08, dimensions: [10, 2, 2], payload: [UInt8](repeating: 7, count: 40)))
    var values = [Int32](repeating: 0, count: 10)
    values[3] = label
    let payload = values.flatMap { v -> [UInt8] in let u = UInt32(bitPattern: v); return [UInt8(u >> 24), UInt8(u >> 16 & 0xFF), UInt8(u >> 8 & 0xFF), UInt8(u & 0xFF)] }
    let labels = try dir.write("labels-\(label)", idxBytes(type: 0x0C, dimensions: [10], payload: payload))
    return "idx:train-images=\(images),train-labels=\(labels)"
  }

  @Test(arguments: [Int32.max, 30_000_000, 10_000])
  func idxLabelsHaveTheSameClassCapAsCSVAndLIBSVM(label: Int32) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let spec = try Self.labelsDataset(label: label, in: dir)
    let failure = fileFormatError { _ = try Datasets.load(spec) }
    #expect(failure?.problem.contains("\(Int(label) + 1) classes") == true, "\(failure?.message ?? "")")
    #expect(failure?.problem.contains("at most 10000") == true, "\(failure?.message ?? "")")
  }

  @Test func idxLabelsJustUnderTheCapStillLoad() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let dataset = try Datasets.load(try Self.labelsDataset(label: 9_999, in: dir))
    #expect(dataset.classCount == 10_000)
  }

  @Test func gzipIDXHeaderIsCheckedBeforeInflating() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // The header promises 60 million 28×28 images (47 GB); 8 MB of zeros follow.
    let bomb = try dir.writeGzip("bomb.gz", idxBytes(type: 0x08, dimensions: [60_000_000, 28, 28], payload: [UInt8](repeating: 0, count: 8 << 20)))
    let labels = try dir.writeGzip("labels.gz", idxBytes(type: 0x08, dimensions: [1], payload: [0]))
    let message = Self.overBudget { _ = try Datasets.load("idx:train-images=\(bomb),train-labels=\(labels)") }
    #expect(message?.contains("'\(bomb)' needs about") == true && message?.contains("60000000×28×28 uint8 values its header declares") == true, "\(message ?? "")")
  }

  @Test func gzipIDXStopsAtWhatTheHeaderDeclares() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // A legal header for 10 2×2 images, then 96 MB more of zeros (inflating it all would pass the 64 MB budget).
    let bytes = idxBytes(type: 0x08, dimensions: [10, 2, 2], payload: [UInt8](repeating: 0, count: 96 << 20))
    let images = try dir.writeGzip("images.gz", bytes)
    let labels = try dir.writeGzip("labels.gz", idxBytes(type: 0x08, dimensions: [10], payload: [UInt8](repeating: 1, count: 10)))
    let failure = MemoryBudget.$current.withValue(Self.small) {
      fileFormatError { _ = try Datasets.load("idx:train-images=\(images),train-labels=\(labels)") }
    }
    #expect(failure?.position == "byte 56 of the decompressed data", "\(failure?.message ?? "")")
    #expect(failure?.problem.contains("more data follows the 10×2×2 values the header declares") == true, "\(failure?.message ?? "")")
  }

  @Test func gzipIDXWithinTheBudgetStillLoadsAndMatchesTheRawFile() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let pixels = (0..<(20 * 9)).map { UInt8($0 % 251) }
    let labelBytes = (0..<20).map { UInt8($0 % 3) }
    let gzImages = try dir.writeGzip("i.gz", idxBytes(type: 0x08, dimensions: [20, 3, 3], payload: pixels))
    let gzLabels = try dir.writeGzip("l.gz", idxBytes(type: 0x08, dimensions: [20], payload: labelBytes))
    let rawImages = try dir.write("i", idxBytes(type: 0x08, dimensions: [20, 3, 3], payload: pixels))
    let rawLabels = try dir.write("l", idxBytes(type: 0x08, dimensions: [20], payload: labelBytes))
    let gz = try MemoryBudget.$current.withValue(Self.small) { try Datasets.load("idx:train-images=\(gzImages),train-labels=\(gzLabels)") }
    let raw = try Datasets.load("idx:train-images=\(rawImages),train-labels=\(rawLabels)")
    #expect(bits(gz) == bits(raw))
  }

  @Test func aLIBSVMIndexIsCheckedAgainstTheBudgetBeforeTheDenseMatrix() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // Issue 11's `1 536870912:0.5` (a 2 GB row, > 6 GB in all), scaled to the 64 MB test budget.
    let path = try dir.write("wide.libsvm", text: "1 33554432:0.5\n")
    let message = Self.overBudget { _ = try Datasets.load("libsvm:path=\(path)") }
    #expect(message?.contains("'\(path)' needs about") == true && message?.contains("1 rows × 33554432 features") == true, "\(message ?? "")")
  }

  @Test func aCSVIsCheckedAgainstTheBudget() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let row = Array(repeating: "0", count: 2_000).joined(separator: ",")
    let path = try dir.write("wide.csv", text: Array(repeating: row, count: 200).joined(separator: "\n"))
    _ = Self.overBudget(MemoryBudget(bytes: 2 << 20)) { _ = try Datasets.load("csv:path=\(path)") }
  }

  @Test func aGzipTextFileStopsInflatingAtTheBudget() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = try dir.writeGzip("big.csv.gz", [UInt8](repeating: UInt8(ascii: "1"), count: 24 << 20))
    let message = Self.overBudget(MemoryBudget(bytes: 16 << 20)) { _ = try Datasets.load("csv:path=\(path)") }
    #expect(message?.contains("needs more than 16 MB (its decompressed data)") == true, "\(message ?? "")")
  }

  @Test(arguments: ["gaussian-mixture:d=32,n=200000", "linear:d=32,n=200000", "logistic:d=32,n=200000"])
  func generatedDatasetsAreCheckedAgainstTheBudget(spec: String) throws {
    _ = Self.overBudget(MemoryBudget(bytes: 16 << 20)) { _ = try Datasets.load(spec) }
  }
}

/// Inflating a large gzip file polls the command's cancellation token, so Ctrl-C stops a dataset load.
@Suite struct GzipCancellationTests {
  @Test func aCancelledLoadStopsInflatingWithInterrupted() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let images = try dir.writeGzip("images.gz", idxBytes(type: 0x08, dimensions: [1000, 28, 28], payload: [UInt8](repeating: 3, count: 784_000)))
    let labels = try dir.writeGzip("labels.gz", idxBytes(type: 0x08, dimensions: [1000], payload: [UInt8](repeating: 1, count: 1000)))
    let token = Cancellation()
    token.cancel()
    #expect(throws: HSQError.interrupted) {
      try token.whileCurrent { _ = try Datasets.load("idx:train-images=\(images),train-labels=\(labels)") }
    }
    // Not cancelled, the same files load.
    let loaded = try Cancellation().whileCurrent { try Datasets.load("idx:train-images=\(images),train-labels=\(labels)") }
    #expect(loaded.train.count + loaded.test.count == 1000)
  }
}
