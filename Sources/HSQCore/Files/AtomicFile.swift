import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes files so that a reader never sees half of one: a temporary file in the same folder, flushed to
/// disk, then renamed over the target (so a crash leaves the old file or the new one, never a torn one).
///
/// Every file hsq writes goes through here, so the rules hold for all of them:
/// - The destination must be a regular file or not exist yet. A device, FIFO, socket or directory
///   (or a symbolic link to one) is refused and left as it was: renaming over `/dev/null` or a FIFO
///   would replace the node with a plain file.
/// - The temporary file is `.NAME.hsq-PID-TAG.tmp` beside `NAME` (PID: the writing process). It is
///   removed on any error; a write killed half-way leaves it behind, and the next write of the same
///   destination removes every such temporary whose process no longer exists.
public enum AtomicFile {
  /// Writes `data` to `path` atomically.
  ///
  /// - Throws: ``HSQError/fileWrite(path:problem:)`` naming the path when it exists and is not a regular
  ///   file, or when the folder is missing or not writable.
  public static func write(_ data: Data, to path: String) throws {
    try write(to: path) { file in try data.withUnsafeBytes { try file.write($0) } }
  }

  /// Writes the file at `path` atomically as `body` streams it to a ``Output`` (no buffer of the whole file).
  ///
  /// - Throws: what `body` throws, or ``HSQError/fileWrite(path:problem:)`` as ``write(_:to:)`` does.
  public static func write(to path: String, _ body: (Output) throws -> Void) throws {
    try requireRegularOrAbsent(path)
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent()
    removeStaleTemporaries(of: url.lastPathComponent, in: folder.path)
    let temporary = folder.appendingPathComponent(temporaryName(for: url.lastPathComponent, pid: getpid(), tag: UInt32.random(in: 0...UInt32.max)))
    let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw HSQError.fileWrite(path: path, problem: "\(String(cString: strerror(errno))); check that the folder exists and is writable.")
    }
    var isOpen = true
    do {
      try body(Output(fd: fd, path: path))
      guard fsync(fd) == 0 else {
        throw HSQError.fileWrite(path: path, problem: "cannot flush it to disk (\(String(cString: strerror(errno)))); check free space.")
      }
      close(fd)
      isOpen = false
      if rename(temporary.path, url.path) != 0 {
        let reason = String(cString: strerror(errno))
        throw HSQError.fileWrite(path: path, problem: "cannot replace it (\(reason)); check the folder's permissions.")
      }
    } catch {
      if isOpen { close(fd) }
      unlink(temporary.path)
      throw error
    }
  }

  /// Where ``write(to:_:)`` streams a file: every byte handed to ``write(_:)`` goes to the temporary file.
  public struct Output {
    let fd: Int32
    let path: String

    /// Writes all of `bytes` (a short write is continued; a failure throws naming the destination).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
      guard var base = bytes.baseAddress else { return }
      var left = bytes.count
      while left > 0 {
        let n = systemWrite(fd, base, left)
        if n < 0 {
          if errno == EINTR { continue }
          throw HSQError.fileWrite(path: path, problem: "\(String(cString: strerror(errno))); check free space.")
        }
        base += n
        left -= n
      }
    }

    /// Writes `bytes`.
    public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }
  }

  /// Writes `text` as UTF-8 to `path` atomically.
  public static func write(_ text: String, to path: String) throws {
    try write(Data(text.utf8), to: path)
  }

  /// The temporary file's name for destination `name` written by process `pid`: `.NAME.hsq-PID-TAG.tmp`.
  public static func temporaryName(for name: String, pid: pid_t, tag: UInt32) -> String {
    ".\(name).hsq-\(pid)-\(tag).tmp"
  }

  /// Throws unless `path` is absent or (after following links) a regular file.
  ///
  /// A dangling link counts as absent: the rename replaces the link, as it replaces a link to a regular file.
  public static func requireRegularOrAbsent(_ path: String) throws {
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG else { return }
    throw HSQError.fileWrite(path: path, problem: "it is \(FileBytes.kind(of: info.st_mode)), not a regular file; choose another file name.")
  }

  /// Removes `.NAME.hsq-PID-TAG.tmp` files in `folder` left by writers of `name` that no longer run.
  private static func removeStaleTemporaries(of name: String, in folder: String) {
    let prefix = ".\(name).hsq-"
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
    for entry in entries where entry.hasPrefix(prefix) && entry.hasSuffix(".tmp") {
      let middle = entry.dropFirst(prefix.count).dropLast(4).split(separator: "-", omittingEmptySubsequences: false)
      guard middle.count == 2, let pid = pid_t(middle[0]), pid > 0, UInt32(middle[1]) != nil else { continue }
      if kill(pid, 0) != 0, errno == ESRCH { unlink(folder + "/" + entry) }
    }
  }
}

#if canImport(Glibc)
  private let systemWrite = Glibc.write
#elseif canImport(Darwin)
  private let systemWrite = Darwin.write
#endif
