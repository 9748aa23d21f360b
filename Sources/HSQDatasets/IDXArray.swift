import HSQCore

/// One array in the IDX format of MNIST and Fashion-MNIST, parsed and checked.
///
/// ```
/// bytes 0–1   0x00 0x00
/// byte  2     element type: 08 ubyte, 09 sbyte, 0B int16, 0C int32, 0D float32, 0E float64
/// byte  3     number of dimensions r
/// 4r bytes    the dimensions, big-endian UInt32 (the first counts the items)
/// then        the items, big-endian, row-major
/// ```
///
/// Reference: Y. LeCun et al., "THE MNIST DATABASE of handwritten digits".
struct IDXArray {
  enum ElementType: UInt8 {
    case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E

    var size: Int {
      switch self {
      case .uint8, .int8: return 1
      case .int16: return 2
      case .int32, .float32: return 4
      case .float64: return 8
      }
    }

    var isInteger: Bool { self != .float32 && self != .float64 }
  }

  let file: DataFile
  let type: ElementType
  /// All dimensions; `dimensions[0]` is the number of items.
  let dimensions: [Int]
  /// Offset of the first item.
  let dataOffset: Int

  /// The number of items (images or labels).
  var count: Int { dimensions[0] }
  /// Values per item (784 for 28×28 images, 1 for labels).
  var itemSize: Int { dimensions.dropFirst().reduce(1, *) }
  /// The shape of one item, e.g. `[28, 28]`.
  var itemShape: [Int] { Array(dimensions.dropFirst()) }

  /// Reads and checks the IDX file at `path` (gzip or raw).
  ///
  /// The header is read first and its size checked against the ``MemoryBudget``;
  /// then exactly the bytes it declares are read (inflated), and any more is an error.
  ///
  /// - Parameter rank: the allowed numbers of dimensions, with what the file should hold for the message.
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` for a wrong magic number, an
  ///   unexpected rank, a truncated file or trailing bytes; ``HSQError/overMemoryBudget(what:needs:limit:fix:)``
  ///   when the declared values do not fit the memory limit.
  init(path: String, rank: ClosedRange<Int>, holding what: String) throws {
    var bytes: [UInt8] = []
    var header: (type: ElementType, dimensions: [Int])?
    let compressed = try DataFile.reading(path: path) { reader in
      header = try IDXArray.read(&reader, into: &bytes, path: path, rank: rank, holding: what)
      return reader.wasCompressed
    }
    file = DataFile(path: path, bytes: bytes, wasCompressed: compressed)
    type = header!.type
    dimensions = header!.dimensions
    dataOffset = 4 + 4 * dimensions.count
  }

  /// The element type and the rank the 4-byte magic number declares, checked against the `rank` expected.
  private static func typeAndRank(
    _ bytes: [UInt8], rank: ClosedRange<Int>, holding what: String, fail: (Int, String) -> HSQError
  ) throws -> (ElementType, Int) {
    guard bytes[0] == 0, bytes[1] == 0, let type = ElementType(rawValue: bytes[2]), bytes[3] > 0 else {
      let magic = bytes[0..<4].map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: " ")
      throw fail(0, "wrong IDX magic number \(magic); an IDX file starts with 00 00, a type (08 for bytes) and a rank (e.g. 00 00 08 03 for images). Is this an IDX file?")
    }
    let r = Int(bytes[3])
    guard rank.contains(r) else {
      let hint = r == 1 ? " (it looks like a labels file; are the image and label paths swapped?)"
        : rank.upperBound == 1 ? " (it looks like an images file; are the image and label paths swapped?)" : ""
      let need = rank.lowerBound == rank.upperBound ? "\(rank.lowerBound)" : "\(rank.lowerBound) or more"
      throw fail(3, "the file has \(r) dimensions, but \(what) need \(need)\(hint).")
    }
    return (type, r)
  }

  /// Reads the header, checks it and the memory it implies, then reads exactly the declared values.
  private static func read(
    _ reader: inout DataFile.Reader, into bytes: inout [UInt8], path: String, rank: ClosedRange<Int>, holding what: String
  ) throws -> (ElementType, [Int]) {
    let compressed = reader.wasCompressed
    func fail(_ offset: Int, _ problem: String) -> HSQError {
      .fileFormat(path: path, position: compressed ? "byte \(offset) of the decompressed data" : "byte \(offset)", problem: problem)
    }
    _ = try reader.read(4, into: &bytes)
    guard bytes.count >= 4 else {
      throw fail(bytes.count, "the file ends after \(bytes.count) bytes, before the 4-byte IDX header; it is not an IDX file.")
    }
    let (type, r) = try typeAndRank(bytes, rank: rank, holding: what, fail: fail)
    _ = try reader.read(4 * r, into: &bytes)
    guard bytes.count >= 4 + 4 * r else {
      throw fail(bytes.count, "the file ends inside the header, which needs \(4 + 4 * r) bytes for \(r) dimensions; the file is truncated.")
    }
    let (dims, total) = try dimensions(bytes, rank: r, elementSize: type.size, fail: fail)
    let shape = dims.map(String.init).joined(separator: "×")
    // The data as read, then the values as Float32 twice (the features, and a train/test split's copy).
    let values = total / type.size
    try MemoryBudget.current.check(
      .bytes(total) + 2 * .floats(values), for: "'\(path)'",
      detail: "\(shape) \(type) values its header declares, read and decoded to Float32", fix: "Use a smaller file")
    let dataOffset = 4 + 4 * r
    let expected = dataOffset + total
    _ = try reader.read(total, into: &bytes)
    guard bytes.count == expected else {
      throw fail(bytes.count, "the file is truncated: its header promises \(shape) \(type) values (\(expected) bytes with the header), but it ends after \(bytes.count) bytes.")
    }
    guard try reader.atEnd() else {
      throw fail(expected, "more data follows the \(shape) values the header declares; the header or the file is wrong.")
    }
    return (type, dims)
  }

  /// The `rank` big-endian dimensions after the 4-byte magic, and the data's size in bytes (at most 2⁴⁰).
  private static func dimensions(
    _ bytes: [UInt8], rank r: Int, elementSize: Int, fail: (Int, String) -> HSQError
  ) throws -> (dims: [Int], total: Int) {
    var dims = [Int]()
    var total = elementSize
    for k in 0..<r {
      let o = 4 + 4 * k
      let d = Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
      dims.append(d)
      let (product, overflow) = total.multipliedReportingOverflow(by: d)
      guard !overflow, product <= 1 << 40 else { throw fail(o, "dimension \(k) is \(d), an impossible size; the header is corrupt.") }
      total = product
    }
    return (dims, total)
  }

  /// All values as Float, each divided by `divisor`, converted a million at a time between polls of
  /// the command's cancellation token (Fashion-MNIST's 47 million pixels stop on Ctrl-C).
  ///
  /// - Throws: ``HSQError/interrupted`` when the current ``Cancellation`` is cancelled.
  func floats(dividingBy divisor: Float = 1) throws -> [Float] {
    let n = count * itemSize
    let type = type, offset = dataOffset
    var values = [Float](repeating: 0, count: n)
    for start in stride(from: 0, to: n, by: 1 << 20) {
      try Cancellation.checkCurrent()
      let end = min(n, start + 1 << 20)
      values.withUnsafeMutableBufferPointer { out in
        file.bytes.withUnsafeBufferPointer { raw in
          let src = raw.baseAddress! + offset
          let dst = out.baseAddress!
          switch type {
          case .uint8:
            for i in start..<end { dst[i] = Float(src[i]) / divisor }
          case .int8:
            for i in start..<end { dst[i] = Float(Int8(bitPattern: src[i])) / divisor }
          default:
            for i in start..<end { dst[i] = Float(IDXArray.value(src, i, type)) / divisor }
          }
        }
      }
    }
    return values
  }

  /// The values as class labels (an integer type, every value ≥ 0).
  ///
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` for a non-integer type or a negative label.
  func labels() throws -> [Int32] {
    guard type.isInteger else {
      throw HSQError.fileFormat(path: file.path, position: file.position(byte: 2), problem: "labels must be integers, but the file holds \(type) values.")
    }
    let n = count * itemSize
    var labels = [Int32](repeating: 0, count: n)
    try file.bytes.withUnsafeBufferPointer { raw in
      let src = raw.baseAddress! + dataOffset
      for i in 0..<n {
        let v = IDXArray.value(src, i, type)
        guard v >= 0 else {
          throw HSQError.fileFormat(
            path: file.path, position: file.position(byte: dataOffset + i * type.size),
            problem: "label \(i) is \(Int(v)); class labels must be 0 or more.")
        }
        labels[i] = Int32(v)
      }
    }
    return labels
  }

  /// Value `i` of `type` at `base` (big-endian), as Double.
  private static func value(_ base: UnsafePointer<UInt8>, _ i: Int, _ type: ElementType) -> Double {
    func word(_ at: Int, _ size: Int) -> UInt64 {
      var w: UInt64 = 0
      for k in 0..<size { w = w << 8 | UInt64(base[at + k]) }
      return w
    }
    switch type {
    case .uint8: return Double(base[i])
    case .int8: return Double(Int8(bitPattern: base[i]))
    case .int16: return Double(Int16(bitPattern: UInt16(word(2 * i, 2))))
    case .int32: return Double(Int32(bitPattern: UInt32(word(4 * i, 4))))
    case .float32: return Double(Float(bitPattern: UInt32(word(4 * i, 4))))
    case .float64: return Double(bitPattern: word(8 * i, 8))
    }
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
