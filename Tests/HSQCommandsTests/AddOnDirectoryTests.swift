import Foundation
@testable import HSQCommands
import Testing
#if canImport(Glibc)
  import Glibc
#endif

/// `load` compiles add-ons into a private directory: made fresh by mkdtemp (0700, owned by the
/// effective user), never a pre-existing one such as the old predictable `hsq-add-ons-<pid>`, and
/// removed when the session ends.
@Suite("The add-on build directory", .serialized)
struct AddOnDirectoryTests {
  static let hasRepl = FileManager.default.isExecutableFile(atPath: ReplDriver.products.appendingPathComponent("hsq-repl").path)

  @Test("a planted 0777 hsq-add-ons-<pid> is not used; the build directory is private and removed at exit", .enabled(if: hasRepl))
  func plantedDirectoryIsIgnored() throws {
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    let tmp = scratch.url.appendingPathComponent("tmp")
    try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    try scratch.write("Thrower.swift", throwingAddOn)
    let repl = try ReplDriver(directory: scratch.url, environment: ["TMPDIR": tmp.path])
    // Another user's trap: the old predictable path, world-writable, made before the first load.
    let planted = tmp.appendingPathComponent("hsq-add-ons-\(repl.process.pid)").path
    try #require(mkdir(planted, 0o777) == 0 && chmod(planted, 0o777) == 0)
    let load = try repl.send("load Thrower.swift")
    try #require(load.ok, "\(load.error) \(repl.errors)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: planted).isEmpty, "nothing is built into the planted directory")
    let private_ = try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0 != planted.split(separator: "/").last.map(String.init) }
    try #require(private_.count == 1, "\(private_)")
    var info = stat()
    #expect(lstat(tmp.appendingPathComponent(private_[0]).path, &info) == 0)
    #expect(info.st_mode & S_IFMT == S_IFDIR && info.st_mode & 0o777 == 0o700, "mode \(String(info.st_mode & 0o777, radix: 8))")
    #expect(info.st_uid == geteuid())
    #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.appendingPathComponent(private_[0]).path).contains { $0.hasSuffix(".so") })
    let end = try repl.finish()
    #expect(end.exitStatus == 0, "\(repl.errors)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == [planted.split(separator: "/").last.map(String.init)!],
            "the private directory is removed when the session ends")
  }

  @Test("a library directory is fresh, 0700, owned by the effective user, and removed with its owner")
  func libraryDirectoryIsPrivateAndTornDown() throws {
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    let planted = scratch.url.appendingPathComponent("hsq-add-ons-\(getpid())").path
    try #require(mkdir(planted, 0o777) == 0 && chmod(planted, 0o777) == 0)
    var directory: AddOnLibraryDirectory? = try AddOnLibraryDirectory(parent: scratch.url.path)
    let path = try #require(directory?.path)
    #expect(path != planted && path.hasPrefix(scratch.url.path + "/hsq-add-ons-"))
    var info = stat()
    #expect(lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR && info.st_mode & 0o777 == 0o700 && info.st_uid == geteuid())
    try "x".write(toFile: directory!.file("libX.so"), atomically: false, encoding: .utf8)
    let other = try AddOnLibraryDirectory(parent: scratch.url.path)
    #expect(other.path != path, "every loader gets its own")
    directory = nil
    #expect(!FileManager.default.fileExists(atPath: path), "removed, libraries and all, when its owner goes")
    #expect(FileManager.default.fileExists(atPath: planted), "someone else's directory is left alone")
  }
}
