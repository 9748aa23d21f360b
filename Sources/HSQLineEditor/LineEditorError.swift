/// libedit could not start; the message says why.
public struct LineEditorError: Error, Equatable, Sendable, CustomStringConvertible {
  /// One sentence naming the problem.
  public var message: String

  /// Wraps a message.
  public init(message: String) { self.message = message }

  /// The message.
  public var description: String { message }
}
