import Foundation

/// Writes files so that a reader never sees half of one: a temporary file in the same folder, then a rename.
public enum AtomicFile {
  /// Writes `data` to `path` atomically.
  ///
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` naming the path when the folder is missing or not writable.
  public static func write(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent()
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp")
    do {
      try data.write(to: temporary, options: [])
      if rename(temporary.path, url.path) != 0 {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw HSQError.fileFormat(path: path, position: nil, problem: "cannot replace it (\(reason)); check the folder's permissions.")
      }
    } catch let error as HSQError {
      throw error
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw HSQError.fileFormat(path: path, position: nil, problem: "cannot write it (\(error.localizedDescription)); check that the folder exists and is writable.")
    }
  }

  /// Writes `text` as UTF-8 to `path` atomically.
  public static func write(_ text: String, to path: String) throws {
    try write(Data(text.utf8), to: path)
  }
}
