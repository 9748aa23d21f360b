import Foundation
import HSQCore
import Testing
#if canImport(Glibc)
  import Glibc
#endif

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

  static func folder() throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-atomic-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
  }

  /// The type bits of the node at `path`.
  static func type(_ path: String) -> mode_t {
    var info = stat()
    return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
  }

  @Test func devicesAndFIFOsAreRefusedAndLeftAsTheyWere() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try #require(mknod(folder + "/full.csv", S_IFCHR | 0o666, (1 << 8) | 7) == 0, "mknod needs root: \(String(cString: strerror(errno)))")
    try #require(mknod(folder + "/null.json", S_IFCHR | 0o666, (1 << 8) | 3) == 0)
    try #require(mkfifo(folder + "/fifo.csv", 0o666) == 0)
    try #require(symlink(folder + "/null.json", folder + "/link.json") == 0)
    try FileManager.default.createDirectory(atPath: folder + "/dir.csv", withIntermediateDirectories: false)
    let cases = [("full.csv", "a character device", S_IFCHR), ("null.json", "a character device", S_IFCHR), ("fifo.csv", "a FIFO", S_IFIFO),
                 ("link.json", "a character device", S_IFLNK), ("dir.csv", "a directory", S_IFDIR)]
    for (name, kind, type) in cases {
      let path = folder + "/" + name
      #expect(throws: HSQError.fileWrite(path: path, problem: "it is \(kind), not a regular file; choose another file name.")) {
        try AtomicFile.write("x\n", to: path)
      }
      #expect(Self.type(path) == type, "\(name) is left as it was")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["dir.csv", "fifo.csv", "full.csv", "link.json", "null.json"],
            "no temporary file is left behind")
  }

  @Test func aStaleTemporaryOfADeadWriterIsRemovedByTheNextWriteOfItsFile() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    // A pid that has exited: a child that ran and was reaped.
    let child = try ChildProcess(path: "/bin/true", [])
    try child.wait(timeout: 60)
    let dead = child.pid
    let stale = AtomicFile.temporaryName(for: "e.json", pid: dead, tag: 7)
    let live = AtomicFile.temporaryName(for: "e.json", pid: getpid(), tag: 8)
    let other = AtomicFile.temporaryName(for: "f.json", pid: dead, tag: 9)
    #expect(stale.hasPrefix(".e.json.") && stale.hasSuffix(".tmp") && stale.contains("\(dead)"))
    for name in [stale, live, other] { try Data(count: 1 << 20).write(to: URL(fileURLWithPath: folder + "/" + name)) }
    try AtomicFile.write("{}", to: folder + "/e.json")
    let left = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    #expect(left == ["e.json", live, other].sorted(), "only the dead writer's temporary of e.json goes: \(left)")
  }
}
