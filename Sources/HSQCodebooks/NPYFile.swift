import Foundation
import HSQCore

/// 2-D float32 arrays in NumPy's `.npy` format (versions 1.0, 2.0 and 3.0).
///
/// ```
/// "\x93NUMPY"  major  minor  header-length (uint16 LE for 1.0, uint32 LE for 2.0/3.0)
/// header: {'descr': '<f4', 'fortran_order': False, 'shape': (K, D), }  padded with spaces, ending '\n'
/// data:   K·D little-endian float32 values, C (row-major) order
/// ```
///
/// `numpy.save('c.npy', codebook.astype('<f4'))` writes what this reads.
/// Written files use version 1.0 with the header padded so the data starts
/// on a 64-byte boundary, as NumPy does. Any other dtype, Fortran order, a
/// shape that is not 2-D, a wrong byte count or a non-finite value throws
/// ``HSQError/fileFormat(path:position:problem:)`` with the position and the fix.
public enum NPYFile {
  private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

  /// The K×D rows of the `.npy` file at `path`, exactly as stored.
  public static func read(_ path: String) throws -> (count: Int, dim: Int, values: [Float]) {
    try decode(FileBytes.read(path), path: path)
  }

  /// Writes `count` rows of `dim` values as a float32 `.npy` array of shape (count, dim), atomically.
  public static func write(_ values: [Float], count: Int, dim: Int, to path: String) throws {
    try AtomicFile.write(Data(encode(values, count: count, dim: dim)), to: path)
  }

  /// The bytes of a version 1.0 `.npy` file of shape (count, dim).
  public static func encode(_ values: [Float], count: Int, dim: Int) -> [UInt8] {
    precondition(values.count == count * dim, "the values are not \(count)×\(dim)")
    var header = Array(NPYHeader.text(shape: [count, dim]).utf8)
    let unpadded = magic.count + 4 + header.count + 1
    header += [UInt8](repeating: UInt8(ascii: " "), count: (64 - unpadded % 64) % 64) + [UInt8(ascii: "\n")]
    var bytes = magic + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header
    bytes.reserveCapacity(bytes.count + 4 * values.count)
    for v in values { LittleEndianFields.append(v.bitPattern, to: &bytes) }
    return bytes
  }

  /// The rows of a `.npy` file's bytes; `path` names the file in errors.
  public static func decode(_ bytes: [UInt8], path: String) throws -> (count: Int, dim: Int, values: [Float]) {
    let (headerStart, dataStart) = try headerBounds(bytes, path: path)
    let header = try NPYHeader.parse(Array(bytes[headerStart..<dataStart]), path: path, offset: headerStart)
    let at = "byte \(headerStart) (header)"
    let (count, dim) = try codebookShape(header, path: path, at: at)
    let (elements, overflow) = count.multipliedReportingOverflow(by: dim)
    guard !overflow, elements <= Int.max / 4 else {
      throw HSQError.fileFormat(path: path, position: at, problem: "the shape (\(count), \(dim)) is too large.")
    }
    let available = bytes.count - dataStart
    guard available == 4 * elements else {
      let problem = available < 4 * elements ? "the file is truncated" : "the file has \(available - 4 * elements) bytes too many"
      throw HSQError.fileFormat(
        path: path, position: "byte \(dataStart) (data)",
        problem: "the shape (\(count), \(dim)) needs \(4 * elements) bytes of float32 data but \(available) follow the header; \(problem).")
    }
    let values = try LittleEndianFields.floats(bytes, at: dataStart, count: elements, path: path) {
      "byte \(dataStart + 4 * $0) (row \($0 / dim), column \($0 % dim))"
    }
    return (count, dim, values)
  }

  /// Where the header starts and the data starts, from the magic string, the version and the header length.
  private static func headerBounds(_ bytes: [UInt8], path: String) throws -> (header: Int, data: Int) {
    func fail(_ position: String, _ problem: String) -> HSQError {
      .fileFormat(path: path, position: position, problem: problem)
    }
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
      throw fail("byte 0", "the file does not start with the .npy magic string \\x93NUMPY; save the array with numpy.save.")
    }
    let major = bytes[6], minor = bytes[7]
    let lengthSize: Int
    switch major {
    case 1: lengthSize = 2
    case 2, 3: lengthSize = 4
    default: throw fail("byte 6", "format version \(major).\(minor) is not supported; save with numpy.save (versions 1.0, 2.0, 3.0).")
    }
    guard bytes.count >= 8 + lengthSize else { throw fail("byte 8", "the file ends inside the header length; the file is truncated.") }
    let headerLength = lengthSize == 2 ? Int(bytes[8]) | Int(bytes[9]) << 8 : Int(LittleEndianFields.uint32(bytes, at: 8))
    let headerStart = 8 + lengthSize, dataStart = headerStart + headerLength
    guard dataStart <= bytes.count else {
      throw fail("byte \(headerStart)", "the header length says \(headerLength) bytes but only \(bytes.count - headerStart) follow; the file is truncated.")
    }
    return (headerStart, dataStart)
  }

  /// (K, D) when the header describes a C-order little-endian float32 2-D array, as a codebook is.
  private static func codebookShape(_ header: NPYHeader, path: String, at: String) throws -> (count: Int, dim: Int) {
    func fail(_ problem: String) -> HSQError { .fileFormat(path: path, position: at, problem: problem) }
    guard header.descr == "<f4" else {
      throw fail("the dtype is '\(header.descr)', not little-endian float32 '<f4'; save the array with arr.astype('<f4').")
    }
    guard !header.fortranOrder else {
      throw fail("the array is in Fortran (column-major) order; save numpy.ascontiguousarray(arr) instead.")
    }
    guard header.shape.count == 2, header.shape[0] >= 1, header.shape[1] >= 1 else {
      let shape = "(" + header.shape.map(String.init).joined(separator: ", ") + (header.shape.count == 1 ? ",)" : ")")
      throw fail("the shape is \(shape); a codebook is a 2-D array of shape (K, D) with K, D ≥ 1.")
    }
    return (header.shape[0], header.shape[1])
  }
}
