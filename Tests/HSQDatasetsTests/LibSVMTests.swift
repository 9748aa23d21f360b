import Foundation
import HSQCore
import HSQDatasets
import Testing

@Suite("libsvm")
struct LibSVMTests {
  static let text = """
    +1 1:0.5 3:2 # a comment
    -1 2:1.5

    +1 3:-1 qid:7 1:4
    -1
    """

  @Test("Sparse rows become dense, ±1 labels become classes 0/1, the width is the largest index")
  func parses() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = try dir.write("a.svm", text: Self.text)
    let data = try Datasets.load("libsvm:path=\(path),test-fraction=0")
    #expect(data.train.count == 4 && data.test.count == 0)
    #expect(data.train.featureCount == 3)
    #expect(data.train.features == [0.5, 0, 2, 0, 1.5, 0, 4, 0, -1, 0, 0, 0])
    #expect(data.train.labels == [1, 0, 1, 0])
    #expect(data.task == .binary && data.classCount == 2)
  }

  @Test("A gzip test file shares the label mapping and widens 'features' to the largest index of both")
  func separateTestFile() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let train = try dir.write("tr.svm", text: "1 1:1\n2 2:1\n")
    let test = try dir.writeGzip("te.svm.gz", Array("3 4:1\n1 1:2\n".utf8))
    let data = try Datasets.load("libsvm:path=\(train),test-path=\(test)")
    #expect(data.train.featureCount == 4)
    #expect(data.classCount == 3 && data.task == .multiclass)
    #expect(data.test.labels == [2, 0])
    #expect(data.test.features == [0, 0, 0, 1, 2, 0, 0, 0])
    let wide = try Datasets.load("libsvm:path=\(train),test-path=\(test),features=6")
    #expect(wide.train.featureCount == 6)
  }

  @Test("task=regression keeps the labels as targets")
  func regression() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = try dir.write("r.svm", text: "2.5 1:1\n-0.25 2:1\n")
    let data = try Datasets.load("libsvm:path=\(path),task=regression,test-fraction=0")
    #expect(data.task == .regression && data.classCount == 0)
    #expect(data.train.targets == [2.5, -0.25])
    #expect(data.train.labels.isEmpty)
  }

  @Test("Thousands of distinct real labels suggest task=regression")
  func tooManyClasses() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = try dir.write("r.svm", text: (0..<10_001).map { "\(Double($0) / 7) 1:1" }.joined(separator: "\n"))
    let error = fileFormatError { _ = try Datasets.load("libsvm:path=\(path)") }
    #expect(error?.problem.contains("task=regression") == true)
  }
}
