import Foundation
import HSQCore
import Testing

/// The one whole-file read every format goes through: its checks and their messages.
@Suite struct FileBytesTests {
  static func temporaryFile(_ bytes: [UInt8]) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-filebytes-\(UUID())").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func readsTheBytesAsStored() throws {
    let path = try Self.temporaryFile([0x1F, 0x8B, 0, 255])
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(try FileBytes.read(path) == [0x1F, 0x8B, 0, 255])
  }

  @Test func aMissingFileOrAFolderIsAFileFormatErrorNamingThePath() {
    #expect(throws: HSQError.fileFormat(path: "/nonexistent-hsq/c.npy", position: nil, problem: "no such file; check the path.")) {
      try FileBytes.read("/nonexistent-hsq/c.npy")
    }
    let folder = FileManager.default.temporaryDirectory.path
    #expect(throws: HSQError.fileFormat(path: folder, position: nil, problem: "it is a folder, not a file; give the path of the file.")) {
      try FileBytes.read(folder)
    }
  }

  @Test func aFileLargerThanTheMemoryBudgetIsNotRead() throws {
    let path = try Self.temporaryFile([UInt8](repeating: 7, count: 4096))
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect {
      try MemoryBudget.$current.withValue(MemoryBudget(bytes: 1024, origin: "test")) { try FileBytes.read(path) }
    } throws: { error in
      guard case HSQError.overMemoryBudget = error else { return false }
      return true
    }
  }
}
