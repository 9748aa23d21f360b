import Foundation
import HSQ
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The private directory `load` compiles add-on libraries into, removed when its owner goes away.
///
/// Made fresh by `mkdtemp` as `$TMPDIR/hsq-add-ons-XXXXXX` (mode 0700), then checked to be a real
/// directory owned by the effective user and closed to everyone else, so no other user can plant or
/// swap the library the session then opens; a directory that already exists is never used. It is
/// removed with its libraries when the owner is torn down, and at process exit for owners that live
/// as long as the process (the shared ``AddOnLoader``): libraries already opened stay mapped.
final class AddOnLibraryDirectory: Sendable {
  /// The directory's absolute path.
  let path: String

  /// Creates the directory under `parent` (default: the temporary directory).
  ///
  /// - Throws: ``HSQError/invalidState(_:)`` when it cannot be made or is not private.
  init(parent: String = FileManager.default.temporaryDirectory.path) throws {
    var template = Array((parent + "/hsq-add-ons-XXXXXX").utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
      throw HSQError.invalidState("Cannot create a private folder for add-on libraries in '\(parent)' (\(String(cString: strerror(errno)))); set TMPDIR to a writable folder.")
    }
    path = String(cString: made)
    var info = stat()
    guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid(), info.st_mode & 0o777 == 0o700 else {
      throw HSQError.invalidState("The add-on folder '\(path)' is not a private folder of this user (mode 0700); check '\(parent)'.")
    }
    Self.pending.withLock { $0.insert(path) }
    Self.removeAtExit
  }

  deinit { Self.remove(path) }

  /// The library file `name` inside the directory.
  func file(_ name: String) -> String { path + "/" + name }

  /// Directories not yet removed, for the exit handler.
  private static let pending = Mutex<Set<String>>([])

  /// Registers, once, the exit handler that removes the directories still pending.
  private static let removeAtExit: Void = {
    atexit { for path in AddOnLibraryDirectory.pending.withLock({ Array($0) }) { AddOnLibraryDirectory.remove(path) } }
  }()

  private static func remove(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
    pending.withLock { _ = $0.remove(path) }
  }
}
