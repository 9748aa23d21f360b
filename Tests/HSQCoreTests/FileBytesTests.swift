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

  /// A new FIFO and a thread that opens it, writes `bytes` (all of them; a write blocks until read) and closes it.
  static func fifo(writing bytes: [UInt8]) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-fifo-\(UUID())").path
    try #require(mkfifo(path, 0o600) == 0)
    Thread {
      let fd = open(path, O_WRONLY)
      _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      close(fd)
    }.start()
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

  /// A device is refused by its kind: `/dev/zero` has no end, and the readers that went around this one
  /// called it "no such file".
  @Test func aDeviceIsRefusedByItsKind() throws {
    #expect(throws: HSQError.fileFormat(path: "/dev/zero", position: nil, problem: "it is a character device, not a regular file or a pipe; give the path of a file.")) {
      try FileBytes.read("/dev/zero")
    }
  }

  /// A pipe is read within the memory limit: one that never ends stops there with one error.
  @Test func aPipeIsReadWithinTheMemoryBudget() throws {
    // 1 MiB and one byte: the read passes the limit only at the last byte, once every write has completed
    // (a reader that stops earlier would leave the writer to die of SIGPIPE).
    let path = try Self.fifo(writing: [UInt8](repeating: 0, count: (1 << 20) + 1))
    defer { unlink(path) }
    #expect {
      try MemoryBudget.$current.withValue(MemoryBudget(bytes: 1 << 20, origin: "test")) { try FileBytes.read(path, shown: "p") }
    } throws: { error in
      guard case let HSQError.overMemoryBudget(what, needs, _, _) = error else { return false }
      return what == "'p'" && needs.contains("read so far from a FIFO")
    }
  }

  /// A pipe is read to its end (scripts given as `<(…)`); a reader of parts refuses it by name.
  @Test func aFIFOIsReadInFullButIsNotARegularFile() throws {
    let path = try Self.fifo(writing: Array("step 2\n".utf8))
    defer { unlink(path) }
    #expect(try FileBytes.read(path, shown: "f") == Array("step 2\n".utf8))
    #expect(throws: HSQError.fileFormat(path: "f", position: nil, problem: "it is a FIFO, not a regular file; give a checkpoint.")) {
      try FileBytes.requireRegularFile(path, shown: "f", fix: "give a checkpoint")
    }
    #expect(throws: HSQError.fileFormat(path: "/nonexistent-hsq/c", position: nil, problem: "no such file; check the path.")) {
      try FileBytes.requireRegularFile("/nonexistent-hsq/c", fix: "give a checkpoint")
    }
  }

  /// A file whose read fails names the system's reason, not Foundation's error domain and code.
  @Test func aFailedReadNamesItsReason() {
    #expect(throws: HSQError.fileFormat(path: "/proc/self/mem", position: nil, problem: "it cannot be read (Input/output error); check the file.")) {
      try FileBytes.read("/proc/self/mem")
    }
    let foundation = NSError(domain: NSCocoaErrorDomain, code: 256, userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(EINVAL))])
    #expect(FileBytes.readFailure(foundation, path: "p") == .fileFormat(path: "p", position: nil, problem: "it cannot be read (Invalid argument); check the file."))
  }
}
