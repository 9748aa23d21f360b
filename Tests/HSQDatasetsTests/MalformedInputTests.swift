import Foundation
import HSQCore
import HSQDatasets
import Testing

/// Every malformed input gives one file-format error naming the file and the position.
@Suite("malformed input")
struct MalformedInputTests {
  let labels: [UInt8] = idxBytes(type: 0x08, dimensions: [2], payload: [0, 1])

  func loadIDX(_ images: String, _ labels: String) throws {
    _ = try Datasets.load("idx:train-images=\(images),train-labels=\(labels)")
  }

  @Test("A wrong IDX magic number names the file and byte 0")
  func wrongMagic() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let images = try dir.write("img", [0x12, 0x34, 0x08, 0x03] + [UInt8](repeating: 0, count: 40))
    let lab = try dir.write("lab", labels)
    let error = fileFormatError { try loadIDX(images, lab) }
    #expect(error?.path == images)
    #expect(error?.position == "byte 0")
    #expect(error?.message.contains("'\(images)' at byte 0") == true)
    #expect(error?.problem.contains("magic") == true)
  }

  @Test("A truncated IDX file names the byte where it ends", arguments: [false, true])
  func truncated(gzip: Bool) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let bytes = idxBytes(type: 0x08, dimensions: [2, 3, 3], payload: [UInt8](repeating: 7, count: 10))  // needs 18
    let images = gzip ? try dir.writeGzip("img.gz", bytes) : try dir.write("img", bytes)
    let lab = try dir.write("lab", labels)
    let error = fileFormatError { try loadIDX(images, lab) }
    #expect(error?.path == images)
    #expect(error?.position == (gzip ? "byte 26 of the decompressed data" : "byte 26"))
    #expect(error?.problem.contains("truncated") == true)
  }

  @Test("Images and labels of different counts name the labels file and its count")
  func countMismatch() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let images = try dir.write("img", idxBytes(type: 0x08, dimensions: [3, 2, 2], payload: [UInt8](repeating: 1, count: 12)))
    let lab = try dir.write("lab", labels)
    let error = fileFormatError { try loadIDX(images, lab) }
    #expect(error?.path == lab)
    #expect(error?.position == "byte 4")
    #expect(error?.problem.contains("2 labels") == true && error?.problem.contains("3 images") == true)
  }

  @Test("Swapped image and label paths are recognized")
  func swapped() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let images = try dir.write("img", idxBytes(type: 0x08, dimensions: [2, 2, 2], payload: [UInt8](repeating: 1, count: 8)))
    let lab = try dir.write("lab", labels)
    let error = fileFormatError { try loadIDX(lab, images) }
    #expect(error?.path == lab)
    #expect(error?.position == "byte 3")
    #expect(error?.problem.contains("swapped") == true)
  }

  @Test("Corrupt gzip data names the compressed byte")
  func corruptGzip() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let good = try dir.writeGzip("img.gz", idxBytes(type: 0x08, dimensions: [50, 10, 10], payload: (0..<5000).map { UInt8($0 % 251) }))
    let goodBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: good)))
    var bytes = goodBytes
    for i in 12..<40 { bytes[i] ^= 0xA5 }
    let bad = try dir.write("bad.gz", bytes)
    let lab = try dir.write("lab", labels)
    let error = fileFormatError { try loadIDX(bad, lab) }
    #expect(error?.path == bad)
    #expect(error?.position?.hasPrefix("compressed byte ") == true)
    #expect(error?.problem.contains("corrupt") == true || error?.problem.contains("damaged") == true)
    let cut = try dir.write("cut.gz", Array(goodBytes.prefix(goodBytes.count / 2)))
    let truncated = fileFormatError { try loadIDX(cut, lab) }
    #expect(truncated?.path == cut)
    #expect(truncated?.problem.contains("ends early") == true)
  }

  @Test("A missing file is named")
  func missingFile() {
    let error = fileFormatError { try loadIDX("/nonexistent/images", "/nonexistent/labels") }
    #expect(error?.path == "/nonexistent/images")
    #expect(error?.problem.contains("no such file") == true)
  }

  @Test("A bad LIBSVM token names its line and column", arguments: [
    ("1 1:0.5\n0 2:1\n1 1:0.5 2:abc\n", 3, 9, "not a finite number"),
    ("1 1:0.5\nx 2:1\n", 2, 1, "label"),
    ("1 1:0.5 7\n", 1, 9, "index:value"),
    ("1 0:0.5\n", 1, 3, "start at 1"),
    ("1 a:0.5\n", 1, 3, "whole number"),
    ("1 2:1 2:3\n", 1, 1, "twice"),
  ])
  func badLibSVMToken(text: String, line: Int, column: Int, problem: String) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = try dir.write("data.svm", text: text)
    let error = fileFormatError { _ = try Datasets.load("libsvm:path=\(path)") }
    #expect(error?.path == path)
    #expect(error?.position == "line \(line), column \(column)")
    #expect(error?.problem.contains(problem) == true, "\(error?.problem ?? "")")
  }

  @Test("A LIBSVM index beyond 'features' names the line")
  func libsvmIndexBeyondFeatures() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = try dir.write("data.svm", text: "1 1:1\n0 5:1\n")
    let error = fileFormatError { _ = try Datasets.load("libsvm:path=\(path),features=4") }
    #expect(error?.position == "line 2, column 3")
    #expect(error?.problem.contains("features=4") == true)
  }

  @Test("A ragged CSV row names its line")
  func raggedCSV() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = try dir.write("data.csv", text: "a,b,label\n1,2,0\n3,4,1\n5,1\n6,7,0\n")
    let error = fileFormatError { _ = try Datasets.load("csv:path=\(path)") }
    #expect(error?.path == path)
    #expect(error?.position == "line 4")
    #expect(error?.problem.contains("2 cells") == true)
  }

  @Test("A non-numeric CSV cell names its line, column and header")
  func nonNumericCSV() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = try dir.write("data.csv", text: "a,b,label\n1,2,0\n3,oops,1\n")
    let error = fileFormatError { _ = try Datasets.load("csv:path=\(path)") }
    #expect(error?.path == path)
    #expect(error?.position == "line 3, column 2 ('b')")
    #expect(error?.problem.contains("'oops' is not a finite number") == true)
    let empty = try dir.write("empty.csv", text: "1,2,0\n3,,1\n")
    #expect(fileFormatError { _ = try Datasets.load("csv:path=\(empty)") }?.position == "line 2, column 2")
  }

  @Test("An unclosed CSV quote names its line and character")
  func unclosedQuote() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = try dir.write("data.csv", text: "1,2,0\n3,\"4,1\n")
    let error = fileFormatError { _ = try Datasets.load("csv:path=\(path)") }
    #expect(error?.position == "line 2, character 3")
  }
}
