/// The bytes one rank has handed to MPI and taken from it, counted per logical message.
///
/// Collectives are counted as the point-to-point messages they stand for, so the figure does not
/// depend on Open MPI's algorithm: a broadcast of `n` bytes from the root counts `n` sent per other
/// rank and `n` received on each; a gather counts each rank's part as sent by it and received by the
/// root; a rank's own part in a collective never travels and is not counted. Size headers (8 bytes
/// per part) are framing and are counted too, separately in ``framingSent`` / ``framingReceived``,
/// so `bytesSent - framingSent` is the payload that travelled.
public struct Traffic: Sendable, Hashable {
  /// Bytes handed to MPI to send, framing included.
  public var bytesSent = 0
  /// Bytes received from MPI, framing included.
  public var bytesReceived = 0
  /// The part of ``bytesSent`` that is size headers.
  public var framingSent = 0
  /// The part of ``bytesReceived`` that is size headers.
  public var framingReceived = 0
  /// Messages sent (a broadcast to `k` other ranks counts `k`).
  public var messagesSent = 0
  /// Messages received.
  public var messagesReceived = 0

  public init() {}

  /// The traffic between `earlier` and `self`.
  public func since(_ earlier: Traffic) -> Traffic {
    var d = Traffic()
    d.bytesSent = bytesSent - earlier.bytesSent
    d.bytesReceived = bytesReceived - earlier.bytesReceived
    d.framingSent = framingSent - earlier.framingSent
    d.framingReceived = framingReceived - earlier.framingReceived
    d.messagesSent = messagesSent - earlier.messagesSent
    d.messagesReceived = messagesReceived - earlier.messagesReceived
    return d
  }

  mutating func sent(_ bytes: Int, framing: Int = 0, messages: Int = 1) {
    bytesSent += (bytes + framing) * messages
    framingSent += framing * messages
    messagesSent += messages
  }

  mutating func received(_ bytes: Int, framing: Int = 0) {
    bytesReceived += bytes + framing
    framingReceived += framing
    messagesReceived += 1
  }
}
