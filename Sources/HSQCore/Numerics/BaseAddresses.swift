/// Calls `body` with the base address of each array, nesting one `withUnsafeBufferPointer` per array, so that
/// every pointer is valid for the whole call (and only during it): how a kernel that takes an array of
/// pointers, one per worker, reads many Swift arrays at once.
///
/// An empty array's base address may be `nil`.
@inlinable
public func withBaseAddresses<T, R>(_ arrays: [[T]], _ body: ([UnsafePointer<T>?]) throws -> R) rethrows -> R {
  var pointers: [UnsafePointer<T>?] = []
  pointers.reserveCapacity(arrays.count)
  func nest(_ i: Int) throws -> R {
    guard i < arrays.count else { return try body(pointers) }
    return try arrays[i].withUnsafeBufferPointer { buffer in
      pointers.append(buffer.baseAddress)
      return try nest(i + 1)
    }
  }
  return try nest(0)
}
