import CLibCrypto
import Foundation

/// HMAC-SHA256 signatures of Jupyter messages, with the connection file's key (OpenSSL's libcrypto).
///
/// The signature is the lowercase hex HMAC over the four JSON frames — header, parent header,
/// metadata, content — in that order. An empty key means the connection is unsigned: messages
/// go out with an empty signature and incoming ones are not checked (the protocol's rule).
///
/// libcrypto rather than swift-crypto: one C call, a system library the machine already has
/// (`libssl-dev`), and no BoringSSL to compile from source in every clean build.
public struct MessageSigner: Sendable {
  let key: [UInt8]

  /// A signer for `key` (the connection file's `key`, as its UTF-8 bytes).
  public init(key: String) {
    self.key = Array(key.utf8)
  }

  /// Whether messages are signed at all.
  public var isSigning: Bool { !key.isEmpty }

  /// The hex signature of `frames`, or "" when unsigned.
  public func signature(of frames: [Data]) -> String {
    guard isSigning else { return "" }
    var data = Data()
    for frame in frames { data.append(frame) }
    var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    key.withUnsafeBufferPointer { keyBytes in
      data.withUnsafeBytes { bytes in
        _ = HMAC(EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count),
                 bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, &digest, &length)
      }
    }
    return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
  }

  /// Whether `signature` is the signature of `frames` (compared in constant time); always true when unsigned.
  public func verify(_ signature: Data, of frames: [Data]) -> Bool {
    guard isSigning else { return true }
    let expected = Array(self.signature(of: frames).utf8)
    guard signature.count == expected.count else { return false }
    return signature.withUnsafeBytes { given in
      expected.withUnsafeBytes { CRYPTO_memcmp(given.baseAddress, $0.baseAddress, expected.count) == 0 }
    }
  }
}
