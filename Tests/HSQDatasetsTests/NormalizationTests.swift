import Foundation
import HSQCore
import HSQDatasets
import Testing

@Suite("normalization")
struct NormalizationTests {
  @Test("standardize uses train statistics only and applies them to test")
  func standardizeFromTrain() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // Feature 1: train 1, 3 (mean 2, std 1); feature 2 is constant 7 in train.
    let train = try dir.write("tr.csv", text: "1,7,0\n3,7,1\n")
    let test = try dir.write("te.csv", text: "5,9,0\n")
    let data = try Datasets.load("csv:path=\(train),test-path=\(test),normalize=standardize")
    #expect(data.train.features == [-1, 0, 1, 0])
    #expect(data.test.features == [3, 0])
  }

  @Test("scale maps each feature's train range to [0, 1]; test values may fall outside")
  func scaleFromTrain() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let train = try dir.write("tr.csv", text: "2,0\n4,1\n6,0\n")
    let test = try dir.write("te.csv", text: "8,1\n")
    let data = try Datasets.load("csv:path=\(train),test-path=\(test),normalize=scale")
    #expect(data.train.features == [0, 0.5, 1])
    #expect(data.test.features == [1.5])
  }

  @Test("standardize gives each training feature mean 0 and variance 1")
  func standardizedMoments() throws {
    let data = try Datasets.load("gaussian-mixture:classes=3,d=5,n=500,separation=6,normalize=standardize")
    let x = data.train
    for j in 0..<5 {
      let column = (0..<x.count).map { Double(x.features[$0 * 5 + j]) }
      let mean = column.reduce(0, +) / Double(x.count)
      let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count)
      #expect(abs(mean) < 1e-5 && abs(variance - 1) < 1e-4, "feature \(j): mean \(mean), variance \(variance)")
    }
  }
}
