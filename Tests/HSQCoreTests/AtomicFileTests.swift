import Foundation
import HSQCore
import Testing

@Suite struct AtomicFileTests {
  @Test func replacesTheFileAndLeavesNoTemporaryBehind() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-atomic-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("metrics.csv").path
    try AtomicFile.write("old\n", to: path)
    try AtomicFile.write("new\n", to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["metrics.csv"])
  }

  @Test func aMissingFolderIsOneWriteErrorNamingThePath() {
    let path = "/nonexistent-hsq-folder/m.csv"
    #expect {
      try AtomicFile.write("x", to: path)
    } throws: { error in
      let text = String(describing: error)
      return text.hasPrefix("Cannot write '\(path)': ") && text.contains("check that the folder exists") && !text.contains("\n")
    }
  }
}
