import Foundation
import HSQCommands

/// One Jupyter message (messaging protocol 5.3) as it travels: routing identities, the
/// `<IDS|MSG>` delimiter, the signature, then four JSON frames and optional buffers.
///
/// Incoming messages keep their header's bytes so a reply's `parent_header` is exactly the
/// request's header; their content is parsed into a dictionary for the handlers.
public struct KernelMessage {
  /// The ROUTER identities to send a reply back through (empty on iopub).
  public var identities: [Data]
  /// The header as JSON bytes.
  public var header: Data
  /// The parent header as JSON bytes (`{}` for none).
  public var parentHeader: Data
  public var metadata: Data
  public var content: Data

  /// The frames' delimiter.
  static let delimiter = Data("<IDS|MSG>".utf8)

  public init(identities: [Data] = [], header: Data, parentHeader: Data = Data("{}".utf8), metadata: Data = Data("{}".utf8), content: Data) {
    self.identities = identities
    self.header = header
    self.parentHeader = parentHeader
    self.metadata = metadata
    self.content = content
  }

  /// A new message of type `type` answering (or caused by) `parent`, with a fresh header.
  public init(type: String, content: JSONValue, parent: KernelMessage?, session: String, identities: [Data]? = nil) {
    let header = JSONValue.object([
      ("msg_id", .string(UUID().uuidString.lowercased())),
      ("session", .string(session)),
      ("username", .string("hsq")),
      ("date", .string(Self.timestamp())),
      ("msg_type", .string(type)),
      ("version", .string(KernelMessage.protocolVersion)),
    ])
    self.init(identities: identities ?? parent?.identities ?? [], header: Data(header.rendered.utf8),
              parentHeader: parent?.header ?? Data("{}".utf8), content: Data(content.rendered.utf8))
  }

  /// The protocol version this kernel speaks.
  public static let protocolVersion = "5.3"

  /// The header's fields.
  public var headerFields: [String: Any] { Self.object(header) }
  /// The content's fields.
  public var contentFields: [String: Any] { Self.object(content) }
  /// `msg_type` from the header.
  public var type: String { headerFields["msg_type"] as? String ?? "" }

  /// The frames to send, signed with `signer`.
  public func frames(signedWith signer: MessageSigner) -> [Data] {
    let body = [header, parentHeader, metadata, content]
    return identities + [Self.delimiter, Data(signer.signature(of: body).utf8)] + body
  }

  /// Why a received multipart message was dropped.
  public enum Rejection: Error, CustomStringConvertible, Equatable {
    case malformed(String)
    case badSignature

    public var description: String {
      switch self {
      case let .malformed(why): return "malformed message (\(why)); dropped"
      case .badSignature: return "message with a bad signature; dropped"
      }
    }
  }

  /// Parses received frames, checking the signature with `signer`.
  public init(frames: [Data], verifiedWith signer: MessageSigner) throws(Rejection) {
    guard let split = frames.firstIndex(of: Self.delimiter) else { throw .malformed("no <IDS|MSG> delimiter") }
    guard frames.count >= split + 6 else { throw .malformed("fewer than four JSON frames after the signature") }
    let body = Array(frames[(split + 2)..<(split + 6)])
    guard signer.verify(frames[split + 1], of: body) else { throw .badSignature }
    self.init(identities: Array(frames[..<split]), header: body[0], parentHeader: body[1], metadata: body[2], content: body[3])
    guard !type.isEmpty else { throw .malformed("the header has no msg_type") }
  }

  static func object(_ data: Data) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
  }

  /// Now in ISO 8601 with microseconds and a UTC offset, as Jupyter writes dates.
  static func timestamp() -> String {
    let now = Date().timeIntervalSince1970
    let seconds = floor(now)
    var time = time_t(seconds)
    var parts = tm()
    gmtime_r(&time, &parts)
    return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                  parts.tm_hour, parts.tm_min, parts.tm_sec, Int((now - seconds) * 1_000_000))
  }
}
