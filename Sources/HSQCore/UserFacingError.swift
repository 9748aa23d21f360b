/// An error whose ``description`` is the one line shown to people: the problem, where, and the fix.
///
/// ``HSQError`` and every other error a front end may show (a run that stopped,
/// a notebook that differs, a line editor that cannot start) conform, so the
/// session renders any of them the same way: `error.description`, with no
/// case for each type. Errors that do not conform (a system error) are shown
/// with `"\(error)"`.
public protocol UserFacingError: Error, CustomStringConvertible, Sendable {}

/// The line shown for `error`: its description if it is a ``UserFacingError``, else `"\(error)"`.
public func userFacingMessage(for error: any Error) -> String {
  (error as? any UserFacingError)?.description ?? "\(error)"
}
