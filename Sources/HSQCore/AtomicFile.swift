import Foundation

/// Writes files so that a reader never sees half of one: a temporary file in the same folder, flushed to
/// disk, then renamed over the target (so a crash leaves the old file or the new one, never a torn one).
public enum AtomicFile {
  /// Writes `data` to `path` atomically.
  ///
  /// - Throws: ``HSQError/fileWrite(path:problem:)`` naming the path when the folder is missing or not writable.
  public static func write(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent()
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp")
    do {
      try data.write(to: temporary, options: [])
      try flushToDisk(temporary.path, reportingAs: path)
      if rename(temporary.path, url.path) != 0 {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw HSQError.fileWrite(path: path, problem: "cannot replace it (\(reason)); check the folder's permissions.")
      }
    } catch let error as HSQError {
      try? FileManager.default.removeItem(at: temporary)
      throw error
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw HSQError.fileWrite(path: path, problem: "\(error.localizedDescription); check that the folder exists and is writable.")
    }
  }

  /// `fsync`s the file at `temporary`, so the rename never publishes data still only in the page cache.
  private static func flushToDisk(_ temporary: String, reportingAs path: String) throws {
    let fd = open(temporary, O_RDONLY)
    guard fd >= 0 else {
      throw HSQError.fileWrite(path: path, problem: "cannot reopen the temporary file (\(String(cString: strerror(errno)))).")
    }
    defer { close(fd) }
    guard fsync(fd) == 0 else {
      throw HSQError.fileWrite(path: path, problem: "cannot flush it to disk (\(String(cString: strerror(errno)))); check free space.")
    }
  }

  /// Writes `text` as UTF-8 to `path` atomically.
  public static func write(_ text: String, to path: String) throws {
    try write(Data(text.utf8), to: path)
  }
}
