import Foundation
import HSQCore
import HSQDatasets
import Testing

@Suite("csv")
struct CSVTests {
  static let iris = """
    sepal length,sepal width,species
    5.1,3.5,setosa
    7.0,3.2,versicolor
    6.3,3.3,virginica
    4.9,3.0,setosa\r

    """

  @Test("A detected header, named labels in sorted order, the last column by default")
  func namedLabels() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = try dir.write("iris.csv", text: Self.iris)
    let data = try Datasets.load("csv:path=\(path),test-fraction=0")
    #expect(data.train.count == 4 && data.train.featureCount == 2)
    #expect(data.train.features == [5.1, 3.5, 7.0, 3.2, 6.3, 3.3, 4.9, 3.0])
    #expect(data.train.labels == [0, 1, 2, 0])
    #expect(data.classCount == 3 && data.task == .multiclass)
  }

  @Test("label-column by header name or number; header=false; semicolons and quotes")
  func columnChoice() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = try dir.write("d.csv", text: "y;\"a;1\";b\n1;2;3\n0;\"4\";5\n")
    let byName = try Datasets.load("csv:path=\(path),delimiter=semicolon,label-column=y,test-fraction=0")
    #expect(byName.train.features == [2, 3, 4, 5])
    #expect(byName.train.labels == [1, 0])
    let byNumber = try Datasets.load("csv:path=\(path),delimiter=semicolon,label-column=3,test-fraction=0,task=regression")
    #expect(byNumber.train.targets == [3, 5])
    #expect(byNumber.train.features == [1, 2, 0, 4])
    let noHeader = try dir.write("n.csv", text: "1,2,3\n4,5,6\n")
    let data = try Datasets.load("csv:path=\(noHeader),header=false,label-column=first,test-fraction=0")
    #expect(data.train.count == 2 && data.train.features == [2, 3, 5, 6])
  }

  @Test("An unknown label column suggests the closest header name")
  func unknownColumn() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = try dir.write("iris.csv", text: Self.iris)
    let error = #expect(throws: HSQError.self) { _ = try Datasets.load("csv:path=\(path),label-column=specis") }
    #expect(error?.description.contains("Did you mean 'species'?") == true)
    let tooFar = #expect(throws: HSQError.self) { _ = try Datasets.load("csv:path=\(path),label-column=9") }
    #expect(tooFar?.description.contains("3 columns") == true)
  }

  @Test("A test file must have the training file's columns")
  func testColumns() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let train = try dir.write("tr.csv", text: "1,2,0\n3,4,1\n")
    let test = try dir.write("te.csv", text: "1,0\n")
    let error = fileFormatError { _ = try Datasets.load("csv:path=\(train),test-path=\(test)") }
    #expect(error?.path == test && error?.position == "line 1")
  }

  @Test("task=regression names a non-numeric label's line")
  func regressionLabels() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = try dir.write("iris.csv", text: Self.iris)
    let error = fileFormatError { _ = try Datasets.load("csv:path=\(path),task=regression") }
    #expect(error?.position == "line 2, column 3 ('species')")
  }
}
