import CZlib
import HSQCore

/// Inflates gzip (or zlib) data a piece at a time, so that a reader stops where its format says the data ends.
///
/// Uses zlib's `inflate` (window bits 15 + 32: gzip or zlib header;
/// concatenated members, as `cat a.gz b.gz` makes, are read as one stream;
/// zero padding after the last member is allowed). Nothing is inflated
/// beyond what ``read(_:into:)`` asks for, so an IDX file's header can be
/// read and checked before its data, and a gzip bomb costs only what the
/// caller is willing to hold.
///
/// A reader exists only inside ``reading(_:path:_:)``: zlib keeps pointers
/// into the input and into its own state, and both are valid only there.
final class GzipReader {
  private let stream: UnsafeMutablePointer<z_stream>
  private let source: UnsafeBufferPointer<UInt8>
  private let path: String
  private var consumed = 0
  private var ended = false

  private init(source: UnsafeBufferPointer<UInt8>, path: String) throws {
    self.source = source
    self.path = path
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    guard inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      stream.deallocate()
      throw HSQError.fileFormat(path: path, position: nil, problem: "zlib could not start decompressing (out of memory?).")
    }
  }

  deinit {
    inflateEnd(stream)
    stream.deallocate()
  }

  /// Runs `body` with a reader over the gzip data `input`; the reader must not escape `body`.
  static func reading<R>(_ input: [UInt8], path: String, _ body: (GzipReader) throws -> R) throws -> R {
    try input.withUnsafeBufferPointer { source in
      let reader = try GzipReader(source: source, path: path)
      return try withExtendedLifetime(reader) { try body(reader) }
    }
  }

  /// The most bytes one `inflate` call produces, so a large file polls the command's cancellation
  /// token (Ctrl-C) every few milliseconds.
  static let slice = 1 << 22

  /// Appends up to `count` decompressed bytes to `output` and returns how many; fewer only where the data ends.
  ///
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` for corrupt or truncated data.
  func read(_ count: Int, into output: inout [UInt8]) throws -> Int {
    let start = output.count
    // Room for `count` bytes, zero-filled by the array's own bulk initializer (a `repeatElement`
    // append walks an iterator byte by byte: seconds for Fashion-MNIST's 47 MB, unpolled).
    output.reserveCapacity(start + count)
    output.append(contentsOf: [UInt8](repeating: 0, count: count))
    var got = 0
    defer { output.removeSubrange((start + got)...) }
    while got < count, !ended {
      try Cancellation.checkCurrent()
      if stream.pointee.avail_in == 0, consumed < source.count {
        let chunk = min(source.count - consumed, Int(UInt32.max))
        stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + consumed)
        stream.pointee.avail_in = UInt32(chunk)
        consumed += chunk
      }
      let status = output.withUnsafeMutableBufferPointer { target -> Int32 in
        let room = min(count - got, Self.slice)
        stream.pointee.next_out = target.baseAddress! + start + got
        stream.pointee.avail_out = UInt32(room)
        let status = inflate(stream, Z_NO_FLUSH)
        got += room - Int(stream.pointee.avail_out)
        stream.pointee.next_out = nil  // the output buffer may move before the next call
        stream.pointee.avail_out = 0
        return status
      }
      try handle(status)
    }
    return got
  }

  /// Whether the data ends here: no further byte can be inflated.
  func atEnd() throws -> Bool {
    var probe: [UInt8] = []
    return try read(1, into: &probe) == 0
  }

  /// Acts on one `inflate` status: go on, start the next member, finish, or throw.
  private func handle(_ status: Int32) throws {
    let position = consumed - Int(stream.pointee.avail_in)
    func corrupt(_ detail: String) -> HSQError {
      .fileFormat(path: path, position: "compressed byte \(position)", problem: "\(detail); the file is damaged, download it again.")
    }
    switch status {
    case Z_OK:
      return
    case Z_STREAM_END:
      let rest = source[position...]
      if rest.count >= 2, rest[position] == 0x1F, rest[position + 1] == 0x8B {
        inflateReset(stream)  // another gzip member follows
        return
      }
      guard rest.allSatisfy({ $0 == 0 }) else { throw corrupt("unexpected bytes after the end of the gzip stream") }
      ended = true
    case Z_BUF_ERROR where stream.pointee.avail_in == 0 && consumed == source.count:
      throw corrupt("the gzip stream ends early (the file is truncated)")
    case Z_BUF_ERROR:
      return
    case Z_DATA_ERROR, Z_NEED_DICT:
      let message = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
      throw corrupt("corrupt gzip data (zlib: \(message))")
    default:
      throw HSQError.fileFormat(path: path, position: nil, problem: "zlib failed with status \(status) (out of memory?).")
    }
  }
}
