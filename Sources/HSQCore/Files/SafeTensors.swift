import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Float32 tensors in the safetensors format, which PyTorch, NumPy, JAX and Hugging Face tools read.
///
/// ```
/// bytes 0..<8      N, the header's length (UInt64, little-endian)
/// bytes 8..<8+N    the header: JSON {"NAME": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, …,
///                  "__metadata__": {"key": "text", …}}, padded with spaces to a multiple of 8
/// bytes 8+N…       the tensors' data, raw little-endian Float32, offsets relative to here
/// ```
///
/// ``write(_:metadata:to:)`` streams each tensor from its own buffer into ``AtomicFile`` (no copy of the
/// file in memory); ``SafeTensorsFile`` checks the whole header before any tensor is read, so a truncated,
/// corrupted or oversized file is refused with one line, and reads each tensor on its own.
/// `safetensors.numpy.load_file(path)` opens what this writes.
public enum SafeTensors {
  /// A tensor to write: its name, its shape, and its values in row-major order.
  public struct Tensor {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
      self.name = name
      self.shape = shape
      self.values = values
    }
  }

  /// The largest header read (the reference implementation's limit): a larger length is refused before any allocation.
  public static let maximumHeaderBytes = 100_000_000
  /// The key of the string map in the header.
  public static let metadataKey = "__metadata__"

  /// Writes `tensors` (in this order) and `metadata` to `path`, atomically.
  ///
  /// - Throws: ``HSQError/invalidArgument(_:)`` for a tensor whose shape does not hold its values or a
  ///   repeated name; ``HSQError/fileWrite(path:problem:)`` as ``AtomicFile`` does.
  public static func write(_ tensors: [Tensor], metadata: [String: String], to path: String) throws {
    try AtomicFile.write(to: path) { file in
      try file.write(header(tensors, metadata: metadata))
      for tensor in tensors { try write(tensor.values, to: file) }
    }
  }

  /// The length field and the header for `tensors`, laid out in order.
  static func header(_ tensors: [Tensor], metadata: [String: String]) throws -> [UInt8] {
    var object: [String: Any] = [:]
    if !metadata.isEmpty { object[metadataKey] = metadata }
    var offset = 0
    for tensor in tensors {
      guard tensor.shape.reduce(1, *) == tensor.values.count, tensor.shape.allSatisfy({ $0 >= 0 }) else {
        throw HSQError.invalidArgument("Tensor '\(tensor.name)' has \(tensor.values.count) values, not the \(tensor.shape) its shape says.")
      }
      guard object[tensor.name] == nil, tensor.name != metadataKey else {
        throw HSQError.invalidArgument("Tensor name '\(tensor.name)' is given twice (or is the metadata's key).")
      }
      let end = offset + 4 * tensor.values.count
      object[tensor.name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, end]] as [String: Any]
      offset = end
    }
    var json = [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    json += [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8)
    return withUnsafeBytes(of: UInt64(json.count).littleEndian) { [UInt8]($0) } + json
  }

  /// Streams `values` as little-endian Float32: straight from the array's buffer on a little-endian CPU.
  static func write(_ values: [Float], to file: AtomicFile.Output) throws {
    #if _endian(little)
      try values.withUnsafeBytes { try file.write($0) }
    #else
      let chunk = 1 << 16
      for start in stride(from: 0, to: values.count, by: chunk) {
        let bits = values[start..<min(values.count, start + chunk)].map { $0.bitPattern.littleEndian }
        try bits.withUnsafeBytes { try file.write($0) }
      }
    #endif
  }
}

/// A safetensors file whose header has been read and checked; tensors are read one at a time.
///
/// The checks, each refused with one line naming the problem: the file holds the 8-byte length and the
/// header it announces (at most ``SafeTensors/maximumHeaderBytes``); the header is a JSON object; every
/// entry but `__metadata__` (a map of text to text) has dtype `F32`, a shape of whole numbers ≥ 0 and
/// offsets that hold exactly that many floats; and the tensors tile the data after the header exactly,
/// with no gap, overlap or byte left over (so a truncated or extended file is refused too).
public struct SafeTensorsFile {
  /// A tensor's place in the file.
  public struct Entry: Sendable {
    public let shape: [Int]
    /// The byte offsets of its data, relative to the end of the header.
    public let begin: Int
    public let end: Int
    /// The number of floats.
    public var count: Int { (end - begin) / 4 }
  }

  public let path: String
  public let metadata: [String: String]
  public let entries: [String: Entry]
  /// Where the data begins in the file (8 + the header's length).
  let dataStart: Int

  /// Opens `path` and checks its header.
  ///
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` for a missing or unreadable file, or a header
  ///   that breaks any rule above.
  public init(path: String) throws {
    self.path = path
    let handle = try Self.open(path)
    defer { try? handle.close() }
    let size: Int
    do {
      size = Int(try handle.seekToEnd())
      try handle.seek(toOffset: 0)
    } catch { throw FileBytes.readFailure(error, path: path) }
    func refuse(_ problem: String) -> HSQError {
      .fileFormat(path: path, position: nil, problem: "not a safetensors file written by 'save' (\(problem)); save it again, or restore the file.")
    }
    let lengthBytes: Data?
    do { lengthBytes = size >= 8 ? try handle.read(upToCount: 8) : nil } catch { throw FileBytes.readFailure(error, path: path) }
    guard let lengthBytes, lengthBytes.count == 8 else {
      throw refuse("the file has \(size) byte\(size == 1 ? "" : "s"), fewer than the 8 of the header's length: it is truncated")
    }
    let length = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    guard length <= UInt64(SafeTensors.maximumHeaderBytes) else {
      throw refuse("its header's length \(length) is over the \(SafeTensors.maximumHeaderBytes)-byte limit: the file is corrupted")
    }
    guard Int(length) <= size - 8 else {
      throw refuse("its header's length is \(length) bytes, but only \(size - 8) follow: the file is truncated")
    }
    let headerBytes: Data?
    do { headerBytes = try handle.read(upToCount: Int(length)) } catch { throw FileBytes.readFailure(error, path: path) }
    guard let headerBytes, headerBytes.count == Int(length) else {
      throw refuse("the header cannot be read in full")
    }
    guard let object = try? JSONSerialization.jsonObject(with: headerBytes) as? [String: Any] else {
      throw refuse("its header is not a JSON object: the file is corrupted")
    }
    var metadata: [String: String] = [:]
    if let value = object[SafeTensors.metadataKey] {
      guard let map = value as? [String: Any], let strings = map as? [String: String], strings.count == map.count else {
        throw refuse("'\(SafeTensors.metadataKey)' is not a map of text to text")
      }
      metadata = strings
    }
    var entries: [String: Entry] = [:]
    for (name, value) in object where name != SafeTensors.metadataKey {
      do { entries[name] = try Self.entry(value) } catch let problem as EntryProblem {
        throw refuse("tensor '\(clipped(name, limit: 60))' \(problem.text)")
      }
    }
    let dataLength = size - 8 - Int(length)
    var expected = 0
    for (name, entry) in entries.sorted(by: { ($0.value.begin, $0.value.end) < ($1.value.begin, $1.value.end) }) {
      guard entry.begin == expected else {
        throw refuse("tensor '\(clipped(name, limit: 60))' starts at byte \(entry.begin) of the data, not \(expected): tensors overlap or leave a gap")
      }
      expected = entry.end
    }
    guard expected == dataLength else {
      throw refuse("the tensors hold \(expected) bytes of data, but \(dataLength) follow the header: the file is \(expected > dataLength ? "truncated" : "extended or corrupted")")
    }
    self.metadata = metadata
    self.entries = entries
    dataStart = 8 + Int(length)
  }

  /// What is wrong with a tensor's entry, after its name.
  struct EntryProblem: Error {
    let text: String
  }

  /// The checked entry of one tensor.
  static func entry(_ value: Any) throws -> Entry {
    func failure(_ text: String) -> EntryProblem { EntryProblem(text: text) }
    guard let fields = value as? [String: Any] else { throw failure("is not an object") }
    guard fields["dtype"] as? String == "F32" else { throw failure("has dtype '\(clipped("\(fields["dtype"] ?? "none")", limit: 20))'; hsq writes F32 only") }
    guard let shapeValues = fields["shape"] as? [Any], let shape = shapeValues as? [Int], shape.count == shapeValues.count, shape.allSatisfy({ $0 >= 0 }) else {
      throw failure("has no shape of whole numbers ≥ 0")
    }
    guard let offsetValues = fields["data_offsets"] as? [Any], let offsets = offsetValues as? [Int], offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
      throw failure("has no data offsets [begin, end] with 0 ≤ begin ≤ end")
    }
    var bytes = 4
    for n in shape {
      let (product, overflow) = bytes.multipliedReportingOverflow(by: n)
      guard !overflow else { throw failure("has a shape \(shape) too large to hold") }
      bytes = product
    }
    guard offsets[1] - offsets[0] == bytes else {
      throw failure("spans \(offsets[1] - offsets[0]) bytes, but its shape \(shape) needs \(bytes)")
    }
    guard fields.keys.allSatisfy(["dtype", "shape", "data_offsets"].contains) else { throw failure("has fields other than dtype, shape and data_offsets") }
    return Entry(shape: shape, begin: offsets[0], end: offsets[1])
  }

  /// The values of tensor `name`, read from the file.
  ///
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` when the file has no such tensor, or it
  ///   cannot be read in full (the file changed since it was opened).
  public func floats(_ name: String) throws -> [Float] {
    guard let entry = entries[name] else {
      throw HSQError.fileFormat(path: path, position: nil, problem: "it has no tensor '\(name)'; save it again, or restore the file.")
    }
    let handle = try Self.open(path)
    defer { try? handle.close() }
    return try floats(entry, name, from: handle)
  }

  /// The values of every tensor in `names`, in order, read through one open file.
  public func floats(_ names: [String]) throws -> [[Float]] {
    let handle = try Self.open(path)
    defer { try? handle.close() }
    return try names.map { name in
      guard let entry = entries[name] else {
        throw HSQError.fileFormat(path: path, position: nil, problem: "it has no tensor '\(name)'; save it again, or restore the file.")
      }
      return try floats(entry, name, from: handle)
    }
  }

  private func floats(_ entry: Entry, _ name: String, from handle: FileHandle) throws -> [Float] {
    do { try handle.seek(toOffset: UInt64(dataStart + entry.begin)) } catch { throw FileBytes.readFailure(error, path: path) }
    var complete = true
    let values = [Float](unsafeUninitializedCapacity: entry.count) { buffer, count in
      let raw = UnsafeMutableRawBufferPointer(buffer)
      var done = 0
      while done < raw.count {
        let n = read(handle.fileDescriptor, raw.baseAddress! + done, raw.count - done)
        if n < 0, errno == EINTR { continue }
        guard n > 0 else { break }
        done += n
      }
      complete = done == raw.count
      if !complete { raw.initializeMemory(as: UInt8.self, repeating: 0) }
      count = entry.count
    }
    guard complete else {
      throw HSQError.fileFormat(path: path, position: nil, problem: "tensor '\(name)' cannot be read in full: the file changed or is truncated; save it again, or restore the file.")
    }
    #if _endian(little)
      return values
    #else
      return values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
    #endif
  }

  private static func open(_ path: String) throws -> FileHandle {
    try FileBytes.requireRegularFile(path, fix: "give the path of a file written by 'save'")
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw HSQError.fileFormat(path: path, position: nil, problem: "it cannot be read; check its permissions.")
    }
    return handle
  }
}
