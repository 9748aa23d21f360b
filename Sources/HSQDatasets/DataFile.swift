import Foundation
import HSQCore

/// The contents of a data file, decompressed when it is gzip.
///
/// The file is read by ``FileBytes/read(_:)`` (HSQCore), which owns the checks of a whole-file read.
/// Gzip is detected by its magic bytes `1f 8b`, not by the file name, so
/// `train-images-idx3-ubyte` and `train-images-idx3-ubyte.gz` both work.
/// Decompression is streamed (``GzipReader``) and held to the
/// ``MemoryBudget``: the file as stored must fit, and inflation stops with
/// an error as soon as its output passes the limit. A format that declares
/// its size (IDX) reads through ``reading(path:_:)`` instead and inflates only
/// the bytes its header declares.
struct DataFile {
  /// The path as given.
  let path: String
  /// The (decompressed) bytes.
  let bytes: [UInt8]
  /// Whether the file was gzip-compressed.
  let wasCompressed: Bool

  init(path: String, bytes: [UInt8], wasCompressed: Bool) {
    self.path = path
    self.bytes = bytes
    self.wasCompressed = wasCompressed
  }

  /// Reads the whole file at `path`, decompressing gzip.
  ///
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` for a missing,
  ///   unreadable or corrupt file; ``HSQError/overMemoryBudget(what:needs:limit:fix:)``
  ///   when the file or its decompressed data does not fit the memory limit.
  init(path: String) throws {
    var bytes: [UInt8] = []
    let compressed = try DataFile.reading(path: path) { reader in
      guard reader.wasCompressed else {
        bytes = reader.raw  // the file as read, not a copy
        return false
      }
      let limit = MemoryBudget.current.bytes
      var chunk = 1 << 16
      while try reader.read(chunk, into: &bytes) == chunk {
        guard bytes.count <= limit else {
          try MemoryBudget.current.check(
            .bytes(bytes.count), for: "'\(path)'", detail: "its decompressed data", fix: "Use a smaller file", atLeast: true)
          break
        }
        chunk = min(max(chunk, bytes.count), max(1, limit + 1 - bytes.count))
      }
      return reader.wasCompressed
    }
    self.init(path: path, bytes: bytes, wasCompressed: compressed)
  }

  /// Decompressed bytes read a piece at a time, from a gzip stream or a plain file.
  struct Reader {
    let wasCompressed: Bool
    fileprivate let gzip: GzipReader?
    fileprivate let raw: [UInt8]
    fileprivate var offset = 0

    /// Appends up to `count` bytes to `output` and returns how many; fewer only at the end of the data.
    mutating func read(_ count: Int, into output: inout [UInt8]) throws -> Int {
      if let gzip { return try gzip.read(count, into: &output) }
      let n = min(count, raw.count - offset)
      output += raw[offset..<offset + n]
      offset += n
      return n
    }

    /// Whether the data ends here.
    mutating func atEnd() throws -> Bool {
      if let gzip { return try gzip.atEnd() }
      return offset == raw.count
    }
  }

  /// Runs `body` with a reader of the decompressed contents of `path`; the reader must not escape `body`.
  static func reading<R>(path: String, _ body: (inout Reader) throws -> R) throws -> R {
    let raw = try FileBytes.read(path)
    guard raw.count >= 2, raw[0] == 0x1F, raw[1] == 0x8B else {
      var reader = Reader(wasCompressed: false, gzip: nil, raw: raw)
      return try body(&reader)
    }
    return try GzipReader.reading(raw, path: path) { gzip in
      var reader = Reader(wasCompressed: true, gzip: gzip, raw: [])
      return try body(&reader)
    }
  }

  /// A position in the data for error messages: the byte offset, in decompressed data when compressed.
  func position(byte offset: Int) -> String {
    wasCompressed ? "byte \(offset) of the decompressed data" : "byte \(offset)"
  }
}
