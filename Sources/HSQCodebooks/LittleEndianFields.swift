import HSQCore

/// Little-endian fields of the codebook file formats (`.npy`, `.fvecs`).
///
/// The files themselves are read by ``FileBytes/read(_:)`` and written by
/// ``AtomicFile`` (temporary file in the same folder, then rename), so an
/// interrupted write never leaves a half-written file (DESIGN.md §6).
enum LittleEndianFields {
  /// The little-endian UInt32 at `offset`.
  static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
  }

  /// Appends `value` little-endian.
  static func append(_ value: UInt32, to bytes: inout [UInt8]) {
    for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
  }

  /// `count` little-endian float32 values starting at `offset`, checked finite; `position(i)` names value `i` in errors.
  static func floats(
    _ bytes: [UInt8], at offset: Int, count: Int, path: String, position: (Int) -> String
  ) throws -> [Float] {
    var values = [Float](repeating: 0, count: count)
    for i in 0..<count {
      let v = Float(bitPattern: uint32(bytes, at: offset + 4 * i))
      guard v.isFinite else {
        throw HSQError.fileFormat(path: path, position: position(i), problem: "the value is \(v), not a finite number; codewords must be finite.")
      }
      values[i] = v
    }
    return values
  }
}
