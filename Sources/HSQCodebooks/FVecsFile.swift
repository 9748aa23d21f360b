import Foundation
import HSQCore

/// The `.fvecs` format of the HSQ authors' codebooks (and of the TEXMEX ANN benchmarks).
///
/// ```
/// repeated K times:   int32 D (little-endian)   then   D × float32 (little-endian)
/// ```
///
/// There is no file header: each vector carries its own dimension, and all
/// must agree. The authors' learned codebooks are
/// `codebooks/learned_codebook/angular_dim_D_Ks_K.fvecs`. Reading checks
/// every header and value; a bad file throws
/// ``HSQError/fileFormat(path:position:problem:)`` with the byte offset and
/// vector index.
public enum FVecsFile {
  /// The rows of the `.fvecs` file at `path`, exactly as stored.
  ///
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` for a missing, empty or truncated
  ///   file, a non-positive or inconsistent dimension, or a non-finite value.
  public static func read(_ path: String) throws -> (count: Int, dim: Int, values: [Float]) {
    try decode(FileBytes.read(path), path: path)
  }

  /// Writes `count` rows of `dim` values atomically (temporary file, then rename).
  public static func write(_ values: [Float], count: Int, dim: Int, to path: String) throws {
    try AtomicFile.write(Data(encode(values, count: count, dim: dim)), to: path)
  }

  /// The bytes of an `.fvecs` file holding `count` rows of `dim` values.
  public static func encode(_ values: [Float], count: Int, dim: Int) -> [UInt8] {
    precondition(dim >= 1 && dim <= Int(Int32.max) && values.count == count * dim, "the values are not \(count)×\(dim)")
    var bytes = [UInt8]()
    bytes.reserveCapacity(count * (4 + 4 * dim))
    for row in 0..<count {
      LittleEndianFields.append(UInt32(dim), to: &bytes)
      for j in 0..<dim { LittleEndianFields.append(values[row * dim + j].bitPattern, to: &bytes) }
    }
    return bytes
  }

  /// The rows of an `.fvecs` file's bytes; `path` names the file in errors.
  public static func decode(_ bytes: [UInt8], path: String) throws -> (count: Int, dim: Int, values: [Float]) {
    guard !bytes.isEmpty else {
      throw HSQError.fileFormat(path: path, position: "byte 0", problem: "the file is empty; an .fvecs file holds at least one vector.")
    }
    var offset = 0, count = 0
    var dim: Int? = nil
    var values = [Float]()
    while offset < bytes.count {
      let place = "byte \(offset) (vector \(count))"
      guard offset + 4 <= bytes.count else {
        throw HSQError.fileFormat(
          path: path, position: place,
          problem: "the file ends inside a dimension header (\(bytes.count - offset) of 4 bytes); the file is truncated.")
      }
      let d = Int(Int32(bitPattern: LittleEndianFields.uint32(bytes, at: offset)))
      guard d >= 1 else {
        throw HSQError.fileFormat(
          path: path, position: place,
          problem: "the dimension header is \(d); each vector starts with its dimension, a positive little-endian int32.")
      }
      if let dim, d != dim {
        throw HSQError.fileFormat(
          path: path, position: place,
          problem: "the dimension header is \(d) but vector 0 has \(dim); all codewords must have the same dimension.")
      }
      let available = (bytes.count - offset - 4) / 4
      guard d <= available else {
        throw HSQError.fileFormat(
          path: path, position: place,
          problem: "the header announces \(d) values but only \(bytes.count - offset - 4) bytes follow; the file is truncated or not an .fvecs file.")
      }
      let row = try LittleEndianFields.floats(bytes, at: offset + 4, count: d, path: path) {
        "byte \(offset + 4 + 4 * $0) (vector \(count), value \($0))"
      }
      values.append(contentsOf: row)
      dim = d
      count += 1
      offset += 4 + 4 * d
    }
    return (count, dim!, values)
  }
}
