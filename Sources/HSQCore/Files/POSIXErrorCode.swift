import Foundation

/// The POSIX error code behind a Foundation file error (`NSCocoaErrorDomain` wraps it as the underlying
/// error), or `nil` when there is none: what hsq's messages name instead of Foundation's domain and code.
public func posixErrorCode(of error: any Error) -> Int32? {
  let error = error as NSError
  if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
    return Int32(underlying.code)
  }
  return error.domain == NSPOSIXErrorDomain ? Int32(error.code) : nil
}
