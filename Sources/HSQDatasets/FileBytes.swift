import CZlib
import Foundation
import HSQCore

/// The contents of a data file, decompressed when it is gzip.
///
/// Gzip is detected by its magic bytes `1f 8b`, not by the file name, so
/// `train-images-idx3-ubyte` and `train-images-idx3-ubyte.gz` both work.
/// Decompression uses zlib's `inflate` (window bits 15 + 32: gzip or zlib
/// header, concatenated members allowed).
struct FileBytes {
  /// The path as given.
  let path: String
  /// The (decompressed) bytes.
  let bytes: [UInt8]
  /// Whether the file was gzip-compressed.
  let wasCompressed: Bool

  /// Reads the whole file at `path`, decompressing gzip.
  ///
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` for a missing,
  ///   unreadable or corrupt file.
  init(path: String) throws {
    let raw = try FileBytes.readRaw(path)
    self.path = path
    if raw.count >= 2, raw[0] == 0x1F, raw[1] == 0x8B {
      bytes = try FileBytes.gunzip(raw, path: path)
      wasCompressed = true
    } else {
      bytes = raw
      wasCompressed = false
    }
  }

  /// A position in the data for error messages: the byte offset, in decompressed data when compressed.
  func position(byte offset: Int) -> String {
    wasCompressed ? "byte \(offset) of the decompressed data" : "byte \(offset)"
  }

  /// The bytes of the file at `path`, as stored.
  static func readRaw(_ path: String) throws -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw HSQError.fileFormat(path: path, position: nil, problem: "no such file; check the path.")
    }
    guard !isDirectory.boolValue else {
      throw HSQError.fileFormat(path: path, position: nil, problem: "it is a directory; give the path of a file.")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw HSQError.fileFormat(path: path, position: nil, problem: "the file cannot be read; check its permissions.")
    }
    return [UInt8](data)
  }

  /// Inflates gzip (or zlib) data, including concatenated gzip members.
  static func gunzip(_ input: [UInt8], path: String) throws -> [UInt8] {
    func corrupt(_ offset: Int, _ detail: String) -> HSQError {
      .fileFormat(path: path, position: "compressed byte \(offset)", problem: "\(detail); the file is damaged, download it again.")
    }
    var stream = z_stream()
    guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw HSQError.fileFormat(path: path, position: nil, problem: "zlib could not start decompressing (out of memory?).")
    }
    defer { inflateEnd(&stream) }
    // ISIZE, the last 4 bytes (little-endian), is the uncompressed size mod 2³² of the last member: a good first guess.
    var capacity = 1 << 16
    if input.count >= 18 {
      let n = input.count
      let isize = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
      // A damaged trailer must not trigger a huge allocation: deflate expands at most ~1032:1.
      if isize < min(1032 * n, 1 << 32) { capacity = max(capacity, isize + 1) }
    }
    var output = [UInt8](repeating: 0, count: capacity)
    var produced = 0
    var consumed = 0
    try input.withUnsafeBufferPointer { source in
      let base = UnsafeMutablePointer(mutating: source.baseAddress!)
      while true {
        if stream.avail_in == 0, consumed < source.count {
          let chunk = min(source.count - consumed, Int(UInt32.max))
          stream.next_in = base + consumed
          stream.avail_in = UInt32(chunk)
          consumed += chunk
        }
        if produced == output.count { output.append(contentsOf: repeatElement(0, count: output.count)) }
        let status = output.withUnsafeMutableBufferPointer { target -> Int32 in
          let room = min(target.count - produced, Int(UInt32.max))
          stream.next_out = target.baseAddress! + produced
          stream.avail_out = UInt32(room)
          let status = inflate(&stream, Z_NO_FLUSH)
          produced += room - Int(stream.avail_out)
          return status
        }
        let position = consumed - Int(stream.avail_in)
        switch status {
        case Z_OK:
          continue
        case Z_STREAM_END:
          let rest = source[position...]
          if rest.count >= 2, rest[position] == 0x1F, rest[position + 1] == 0x8B {
            inflateReset(&stream)  // another gzip member follows (as `cat a.gz b.gz` makes)
            continue
          }
          guard rest.allSatisfy({ $0 == 0 }) else {
            throw corrupt(position, "unexpected bytes after the end of the gzip stream")
          }
          return
        case Z_BUF_ERROR where stream.avail_in == 0 && consumed == source.count:
          throw corrupt(position, "the gzip stream ends early (the file is truncated)")
        case Z_BUF_ERROR:
          continue  // output full; it grows on the next pass
        case Z_DATA_ERROR, Z_NEED_DICT:
          let message = stream.msg.map { String(cString: $0) } ?? "invalid data"
          throw corrupt(position, "corrupt gzip data (zlib: \(message))")
        default:
          throw HSQError.fileFormat(path: path, position: nil, problem: "zlib failed with status \(status) (out of memory?).")
        }
      }
    }
    output.removeSubrange(produced...)
    return output
  }
}
