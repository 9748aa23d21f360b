/// Turns bytes arriving one at a time into Unicode scalars, as a terminal sends UTF-8.
///
/// Invalid input is dropped, never passed on: a byte that cannot start a
/// character, and a sequence broken off early (its next byte then starts
/// afresh), overlong or naming a surrogate.
struct UTF8Assembler {
  private var bytes: [UInt8] = []
  private var expected = 0

  /// Adds `byte`; returns the scalar it completes, or `nil` while one is incomplete or was dropped.
  mutating func add(_ byte: UInt8) -> Unicode.Scalar? {
    if !bytes.isEmpty, byte & 0xC0 != 0x80 { bytes = [] }
    if bytes.isEmpty {
      switch byte {
      case 0x00...0x7F: return Unicode.Scalar(byte)
      case 0xC2...0xDF: expected = 2
      case 0xE0...0xEF: expected = 3
      case 0xF0...0xF4: expected = 4
      default: return nil
      }
    }
    bytes.append(byte)
    guard bytes.count == expected else { return nil }
    defer { bytes = [] }
    guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
    return text.unicodeScalars.first
  }
}
