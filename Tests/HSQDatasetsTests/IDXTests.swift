import Foundation
import HSQCore
import HSQDatasets
import Testing

@Suite("idx")
struct IDXTests {
  /// Five 3×4 byte images with labels, plus two test images.
  static let trainPixels: [UInt8] = (0..<60).map { UInt8(($0 * 37) % 256) }
  static let trainLabels: [UInt8] = [0, 3, 1, 3, 2]
  static let testPixels: [UInt8] = (0..<24).map { UInt8(255 - $0) }
  static let testLabels: [UInt8] = [1, 0]

  func writeFiles(in dir: TemporaryDirectory, gzip: Bool) throws -> String {
    let files: [(String, [UInt8])] = [
      ("train-images", idxBytes(type: 0x08, dimensions: [5, 3, 4], payload: Self.trainPixels)),
      ("train-labels", idxBytes(type: 0x08, dimensions: [5], payload: Self.trainLabels)),
      ("test-images", idxBytes(type: 0x08, dimensions: [2, 3, 4], payload: Self.testPixels)),
      ("test-labels", idxBytes(type: 0x08, dimensions: [2], payload: Self.testLabels)),
    ]
    var parts: [String] = []
    for (name, bytes) in files {
      let path = gzip ? try dir.writeGzip(name + ".gz", bytes) : try dir.write(name, bytes)
      parts.append("\(name)=\(path)")
    }
    return "idx:" + parts.joined(separator: ",")
  }

  @Test("Raw and gzip IDX files round-trip the same pixels, labels and shape", arguments: [false, true])
  func roundTrip(gzip: Bool) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let spec = try writeFiles(in: dir, gzip: gzip)
    let raw = try Datasets.load(spec + ",normalize=none")
    #expect(raw.train.features == Self.trainPixels.map(Float.init))
    #expect(raw.test.features == Self.testPixels.map(Float.init))
    #expect(raw.train.labels == Self.trainLabels.map(Int32.init))
    #expect(raw.test.labels == Self.testLabels.map(Int32.init))
    #expect(raw.featureShape == [3, 4])
    #expect(raw.train.featureCount == 12)
    #expect(raw.classCount == 4)
    #expect(raw.task == .multiclass)
    let scaled = try Datasets.load(spec)
    #expect(scaled.train.features == Self.trainPixels.map { Float($0) / 255 })
    #expect(scaled.test.features == Self.testPixels.map { Float($0) / 255 })
  }

  @Test("Without test files a seeded test-fraction is held out, disjoint and deterministic")
  func seededSplit() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let n = 20
    let pixels = (0..<(n * 4)).map { UInt8($0) }  // row r holds 4r...4r+3: rows are distinct
    let images = try dir.write("img", idxBytes(type: 0x08, dimensions: [n, 2, 2], payload: pixels))
    let labels = try dir.write("lab", idxBytes(type: 0x08, dimensions: [n], payload: (0..<n).map { UInt8($0 % 2) }))
    let spec = "idx:train-images=\(images),train-labels=\(labels),normalize=none,test-fraction=0.25"
    let a = try Datasets.load(spec + ",seed=3"), b = try Datasets.load(spec + ",seed=3")
    #expect(bits(a) == bits(b))
    #expect(a.test.count == 5 && a.train.count == 15)
    #expect(a.task == .binary)
    let firstPixels = Set((0..<a.train.count).map { a.train.features[$0 * 4] } + (0..<a.test.count).map { a.test.features[$0 * 4] })
    #expect(firstPixels == Set((0..<n).map { Float($0 * 4) }))
    let c = try Datasets.load(spec + ",seed=4")
    #expect(bits(a) != bits(c))
  }

  @Test("Float32 images load exactly; scale uses each feature's train min and max")
  func floatImages() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let values: [Float] = [-1, 2, 0.5, 4, 3, 6]  // 3 images of 2 pixels
    let images = try dir.write("img", idxBytes(type: 0x0D, dimensions: [3, 2], payload: bigEndianBytes(values)))
    let labels = try dir.write("lab", idxBytes(type: 0x08, dimensions: [3], payload: [0, 1, 0]))
    let base = "idx:train-images=\(images),train-labels=\(labels),test-images=\(images),test-labels=\(labels)"
    #expect(try Datasets.load(base + ",normalize=none").train.features == values)
    #expect(try Datasets.load(base + ",normalize=scale").train.features == [0, 0, 0.375, 0.5, 1, 1])
  }

  @Test("Giving only one of the two test files is refused with the fix")
  func halfATestPair() throws {
    let error = #expect(throws: HSQError.self) {
      _ = try Datasets.load("idx:train-images=/a,train-labels=/b,test-images=/c")
    }
    #expect(error?.description.contains("test-labels") == true)
  }
}
