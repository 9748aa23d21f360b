import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Whole-file reads with one set of checks and messages, for every file hsq reads.
///
/// The counterpart of ``AtomicFile`` (which owns writes): scripts (`replay`, `hsq-repl FILE`),
/// checkpoints and sweeps (`load`), codebook files (`.npy`, `.fvecs`) and data files (IDX, CSV,
/// LibSVM, before any gzip inflation) are read here.
///
/// A regular file is checked against the ``MemoryBudget`` by its size before it is read. A pipe (a
/// FIFO, or `<(…)` in a shell) is read as it comes, within the same budget, and Ctrl-C (the
/// ``Cancellation`` of the command) stops the read or its wait for a writer. Devices (`/dev/zero`,
/// a terminal) and sockets are refused by name: they have no end to read to.
public enum FileBytes {
  /// The bytes of the file at `path`, as stored.
  ///
  /// - Parameters:
  ///   - path: The file, resolved.
  ///   - shown: How errors name it (the user's spelling); `path` by default.
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` when the file is missing, a folder or
  ///   unreadable; ``HSQError/overMemoryBudget(what:needs:limit:fix:)`` when it does not fit;
  ///   ``HSQError/interrupted`` when the command is cancelled during a wait.
  public static func read(_ path: String, shown: String? = nil) throws -> [UInt8] {
    let name = shown ?? path
    let info = try status(of: path, shown: name)
    let isRegular = info.st_mode & S_IFMT == S_IFREG
    guard isRegular || info.st_mode & S_IFMT == S_IFIFO else {
      throw HSQError.fileFormat(path: name, position: nil, problem: "it is \(kind(of: info.st_mode)), not a regular file or a pipe; give the path of a file.")
    }
    if isRegular {
      try MemoryBudget.current.check(.bytes(Int(info.st_size)), for: "'\(name)'", detail: "the file as stored", fix: "Use a smaller file")
    }
    var fd = open(path, O_RDONLY | O_CLOEXEC)
    while fd < 0, errno == EINTR {  // a FIFO waits here for a writer; Ctrl-C ends the wait
      try Cancellation.checkCurrent()
      fd = open(path, O_RDONLY | O_CLOEXEC)
    }
    guard fd >= 0 else { throw unreadable(name, errno) }
    defer { close(fd) }
    var bytes: [UInt8] = []
    if isRegular { bytes.reserveCapacity(Int(info.st_size)) }
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if count == 0 { return bytes }
      if count < 0 {
        guard errno == EINTR else { throw unreadable(name, errno) }
        try Cancellation.checkCurrent()
        continue
      }
      if !isRegular {
        try Cancellation.checkCurrent()
        try MemoryBudget.current.check(.bytes(bytes.count + count), for: "'\(name)'", detail: "read so far from \(kind(of: info.st_mode))",
                                       fix: "Give a file of limited size", atLeast: true)
      }
      bytes.append(contentsOf: chunk[..<count])
    }
  }

  /// Throws unless `path` is a regular file that can be opened for reading: what a format read in
  /// parts, with seeks (a safetensors checkpoint), needs.
  ///
  /// - Parameters:
  ///   - path: The file, resolved.
  ///   - shown: How errors name it; `path` by default.
  ///   - fix: What to give instead, e.g. "give the path of a file written by 'save'".
  public static func requireRegularFile(_ path: String, shown: String? = nil, fix: String) throws {
    let name = shown ?? path
    let info = try status(of: path, shown: name)
    guard info.st_mode & S_IFMT == S_IFREG else {
      throw HSQError.fileFormat(path: name, position: nil, problem: "it is \(kind(of: info.st_mode)), not a regular file; \(fix).")
    }
    guard access(path, R_OK) == 0 else { throw unreadable(name, errno) }
  }

  /// What a file's mode says it is, e.g. "a FIFO", "a character device".
  public static func kind(of mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFREG: return "a regular file"
    case S_IFDIR: return "a directory"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFIFO: return "a FIFO"
    case S_IFSOCK: return "a socket"
    default: return "a special file"
    }
  }

  /// `stat` of `path` (following links), or the error for a missing file or a folder.
  private static func status(of path: String, shown name: String) throws -> stat {
    var info = stat()
    guard stat(path, &info) == 0 else {
      if errno == ENOENT || errno == ENOTDIR {
        throw HSQError.fileFormat(path: name, position: nil, problem: "no such file; check the path.")
      }
      throw unreadable(name, errno)
    }
    guard info.st_mode & S_IFMT != S_IFDIR else {
      throw HSQError.fileFormat(path: name, position: nil, problem: "it is a folder, not a file; give the path of the file.")
    }
    return info
  }

  /// A failed read or seek of a `FileHandle` (Foundation's error) as the one message hsq gives for it.
  public static func readFailure(_ error: any Error, path: String) -> HSQError {
    if let error = error as? HSQError { return error }
    return unreadable(path, posixErrorCode(of: error) ?? EIO)
  }

  private static func unreadable(_ name: String, _ code: Int32) -> HSQError {
    let reason = String(cString: strerror(code))
    let fix = code == EACCES || code == EPERM ? "check its permissions" : "check the file"
    return HSQError.fileFormat(path: name, position: nil, problem: "it cannot be read (\(reason)); \(fix).")
  }
}
