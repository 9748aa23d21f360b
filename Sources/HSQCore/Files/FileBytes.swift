import Foundation

/// Whole-file reads with one set of checks and messages, for every file format hsq reads.
///
/// The counterpart of ``AtomicFile`` (which owns writes): codebook files
/// (`.npy`, `.fvecs`) and data files (IDX, CSV, LibSVM, before any gzip
/// inflation) are read here.
public enum FileBytes {
  /// The bytes of the file at `path`, as stored.
  ///
  /// The file must fit the ``MemoryBudget`` as stored (its size is checked before it is read).
  ///
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` when the file is missing, a
  ///   folder or unreadable; ``HSQError/overMemoryBudget(what:needs:limit:fix:)`` when it does not fit.
  public static func read(_ path: String) throws -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw HSQError.fileFormat(path: path, position: nil, problem: "no such file; check the path.")
    }
    guard !isDirectory.boolValue else {
      throw HSQError.fileFormat(path: path, position: nil, problem: "it is a folder, not a file; give the path of the file.")
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    try MemoryBudget.current.check(.bytes(size), for: "'\(path)'", detail: "the file as stored", fix: "Use a smaller file")
    guard let data = FileManager.default.contents(atPath: path) else {
      throw HSQError.fileFormat(path: path, position: nil, problem: "the file cannot be read; check its permissions.")
    }
    return [UInt8](data)
  }
}
