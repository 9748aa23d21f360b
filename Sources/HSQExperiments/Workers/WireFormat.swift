import HSQCore

/// Appends little-endian values to a byte buffer: the writing half of the worker wire format.
///
/// Every multi-byte value is little-endian, floats as their IEEE bit patterns, nothing is padded:
/// the same values give the same bytes on every machine.
struct WireWriter {
  private(set) var bytes: [UInt8] = []

  init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

  mutating func u8(_ value: UInt8) { bytes.append(value) }
  mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }
  mutating func u16(_ value: UInt16) { append(value.littleEndian) }
  mutating func u32(_ value: UInt32) { append(value.littleEndian) }
  mutating func u64(_ value: UInt64) { append(value.littleEndian) }
  mutating func i64(_ value: Int) { append(Int64(value).littleEndian) }
  mutating func f32(_ value: Float) { u32(value.bitPattern) }
  mutating func f64(_ value: Double) { u64(value.bitPattern) }

  /// A count or id that must fit in 32 bits (the reader rejects anything else).
  mutating func count(_ value: Int) {
    precondition(value >= 0 && value <= Int(UInt32.max), "wire format: \(value) does not fit a u32 count")
    u32(UInt32(value))
  }

  mutating func optionalF64(_ value: Double?) {
    bool(value != nil)
    if let value { f64(value) }
  }

  mutating func raw(_ data: [UInt8]) { bytes.append(contentsOf: data) }

  mutating func string(_ text: String) {
    let utf8 = Array(text.utf8)
    count(utf8.count)
    raw(utf8)
  }

  /// u64 count, then the float32 values (bit patterns, little-endian).
  mutating func floats(_ values: [Float]) {
    u64(UInt64(values.count))
    values.withUnsafeBufferPointer { buffer in
      if UInt32(1).littleEndian == 1 {
        bytes.append(contentsOf: UnsafeRawBufferPointer(buffer))
      } else {
        for v in buffer { f32(v) }
      }
    }
  }

  /// u32 layer count, then each layer's ``floats(_:)``.
  mutating func layers(_ layers: [[Float]]) {
    count(layers.count)
    for layer in layers { floats(layer) }
  }

  /// A frame header: 4 magic bytes, then the u16 version.
  mutating func header(_ magic: String, version: UInt16) {
    raw(Array(magic.utf8))
    u16(version)
  }

  private mutating func append<T: FixedWidthInteger>(_ value: T) {
    withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
  }
}

/// Reads what ``WireWriter`` wrote; every read checks the bytes left and throws
/// ``HSQError/malformedPayload(_:)`` naming the frame and the byte offset.
struct WireReader {
  let bytes: [UInt8]
  /// The frame's name for messages, e.g. `round request`.
  let frame: String
  private(set) var offset: Int
  /// Where the frame starts in `bytes` (a transport's header may come first).
  private let start: Int

  /// A reader of the frame that starts at byte `start` of `bytes` and runs to their end.
  init(_ bytes: [UInt8], frame: String, from start: Int = 0) {
    precondition((0...bytes.count).contains(start), "wire reader: the frame starts at \(start) of \(bytes.count) bytes")
    self.bytes = bytes
    self.frame = frame
    self.start = start
    offset = start
  }

  func problem(_ text: String) -> HSQError {
    .malformedPayload("The \(frame) is malformed at byte \(offset - start) of \(bytes.count - start): \(text); both ends must run the same hsq version.")
  }

  private mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
    guard n >= 0, n <= bytes.count - offset else { throw problem("it ends early (\(n) more bytes expected)") }
    defer { offset += n }
    return bytes[offset..<(offset + n)]
  }

  private mutating func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
    let slice = try take(MemoryLayout<T>.size)
    var value: T = 0
    for (i, byte) in slice.enumerated() { value |= T(truncatingIfNeeded: byte) << (8 * i) }
    return value
  }

  mutating func u8() throws -> UInt8 { try integer(UInt8.self) }
  mutating func u16() throws -> UInt16 { try integer(UInt16.self) }
  mutating func u32() throws -> UInt32 { try integer(UInt32.self) }
  mutating func u64() throws -> UInt64 { try integer(UInt64.self) }
  mutating func i64() throws -> Int { Int(try integer(Int64.self)) }
  mutating func f32() throws -> Float { Float(bitPattern: try u32()) }
  mutating func f64() throws -> Double { Double(bitPattern: try u64()) }
  mutating func count() throws -> Int { Int(try u32()) }

  mutating func bool() throws -> Bool {
    switch try u8() {
    case 0: return false
    case 1: return true
    case let other: throw problem("a flag is \(other), not 0 or 1")
    }
  }

  mutating func optionalF64() throws -> Double? { try bool() ? try f64() : nil }

  mutating func raw(_ n: Int) throws -> [UInt8] { Array(try take(n)) }

  mutating func string() throws -> String {
    let utf8 = try raw(try count())
    guard let text = String(validating: utf8, as: UTF8.self) else { throw problem("a text is not UTF-8") }
    return text
  }

  mutating func floats() throws -> [Float] {
    let n = try u64()
    guard n <= UInt64(bytes.count - offset) / 4 else { throw problem("\(n) floats announced, \(bytes.count - offset) bytes left") }
    return decodeFloat32(try take(Int(n) * 4), count: Int(n))
  }

  mutating func layers() throws -> [[Float]] { try list("layers", bytesEach: 8) { try $0.floats() } }

  /// A u32 count, then that many elements read by `element`; each takes at least `bytesEach` bytes,
  /// so a damaged count is refused before anything is allocated.
  mutating func list<T>(_ what: String, bytesEach: Int, _ element: (inout WireReader) throws -> T) throws -> [T] {
    let n = try count()
    guard n <= (bytes.count - offset) / bytesEach else { throw problem("\(n) \(what) announced, \(bytes.count - offset) bytes left") }
    var result: [T] = []
    result.reserveCapacity(n)
    for _ in 0..<n { result.append(try element(&self)) }
    return result
  }

  /// Checks the 4 magic bytes and the version.
  mutating func header(_ magic: String, version: UInt16) throws {
    let found = try raw(4)
    guard found == Array(magic.utf8) else { throw problem("it does not start with '\(magic)'") }
    let v = try u16()
    guard v == version else { throw problem("version \(v), expected \(version)") }
  }

  /// Throws unless every byte was read.
  func finish() throws {
    guard offset == bytes.count else { throw problem("\(bytes.count - offset) bytes are left over") }
  }
}

extension Payload {
  /// The float32 bit patterns of `values`, little-endian: how a layer below the compression threshold travels.
  init(float32 values: [Float]) {
    var writer = WireWriter(reservingCapacity: 4 * values.count)
    if UInt32(1).littleEndian == 1 {
      self.init(bytes: values.withUnsafeBufferPointer { [UInt8](UnsafeRawBufferPointer($0)) }, bitCount: 32 * values.count)
      return
    }
    for v in values { writer.f32(v) }
    self.init(bytes: writer.bytes, bitCount: 32 * values.count)
  }

  /// The `count` floats of a ``init(float32:)`` payload, or an error naming the layer.
  func float32Values(count: Int, layer: Int) throws -> [Float] {
    guard bitCount == 32 * count else {
      throw HSQError.malformedPayload("Layer \(layer) is sent uncompressed as \(count) float32 values (\(32 * count) bits), but its payload has \(bitCount) bits.")
    }
    return decodeFloat32(bytes[...], count: count)
  }
}

/// `count` float32 values from their little-endian bit patterns (`bytes.count == 4·count`).
func decodeFloat32(_ bytes: ArraySlice<UInt8>, count: Int) -> [Float] {
  bytes.withUnsafeBytes { raw in
    [Float](unsafeUninitializedCapacity: count) { out, initialized in
      if UInt32(1).littleEndian == 1, count > 0 {
        UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<(4 * count)]))
      } else {
        for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
      }
      initialized = count
    }
  }
}
