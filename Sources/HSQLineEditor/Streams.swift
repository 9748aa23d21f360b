#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A stream on a duplicate of `descriptor` (the caller's descriptor stays open).
func openCopy(of descriptor: Int32, mode: String) -> UnsafeMutablePointer<FILE>? {
  let copy = dup(descriptor)
  guard copy >= 0 else { return nil }
  guard let file = fdopen(copy, mode) else {
    close(copy)
    return nil
  }
  return file
}

/// `strerror(errno)`, e.g. "Permission denied".
func lastErrorText() -> String { String(cString: strerror(errno)) }
