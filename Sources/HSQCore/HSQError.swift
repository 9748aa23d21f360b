/// The one error type hsq shows to people.
///
/// Every failure a user can reach is one of these cases, rendered in one
/// place (``description``) as a sentence that names the problem and the fix.
/// Names are in single quotes and sentences end with a period.
public enum HSQError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A name that is not registered for `kind`; `suggestion` is the closest registered name.
  case unknownName(kind: String, name: String, suggestion: String?)
  /// A name registered twice for the same kind.
  case duplicateName(kind: String, name: String)
  /// A parameter that does not parse, is out of range or is not declared.
  case invalidParameter(component: String, parameter: String, problem: String)
  /// An argument that cannot be used, with the reason and the fix in `problem`.
  case invalidArgument(String)
  /// A vector entry that is NaN or infinite.
  case nonFinite(what: String, index: Int, value: Float)
  /// A file that cannot be read or is malformed; `position` says where (byte offset, line, record).
  case fileFormat(path: String, position: String?, problem: String)
  /// A payload whose bytes cannot be decoded.
  case malformedPayload(String)
  /// Work whose estimated memory exceeds the ``MemoryBudget``: `needs` is the estimate with how it is made, `fix` lowers it.
  case overMemoryBudget(what: String, needs: String, limit: String, fix: String)
  /// An operation the state does not allow right now.
  case invalidState(String)
  /// A file that cannot be written; `problem` gives the reason and the fix.
  case fileWrite(path: String, problem: String)
  /// Long work stopped on request (Ctrl-C); see ``Cancellation``.
  case interrupted

  public var description: String {
    switch self {
    case let .unknownName(kind, name, suggestion):
      var text = "Unknown \(kind) '\(name)'."
      if let suggestion { text += " Did you mean '\(suggestion)'?" }
      return text + " Try 'help' or 'apropos \(name)'."
    case let .duplicateName(kind, name):
      return "A \(kind) named '\(name)' is already registered; choose another name."
    case let .invalidParameter(component, parameter, problem):
      return "Parameter '\(parameter)' of '\(component)': \(problem)"
    case let .invalidArgument(message):
      return message
    case let .nonFinite(what, index, value):
      return "\(what) has a non-finite value (\(value)) at index \(index); compressors accept finite values only."
    case let .fileFormat(path, position, problem):
      let place = position.map { "'\(path)' at \($0)" } ?? "'\(path)'"
      return "Cannot read \(place): \(problem)"
    case let .fileWrite(path, problem):
      return "Cannot write '\(path)': \(problem)"
    case let .malformedPayload(message):
      return "Malformed payload: \(message)"
    case let .overMemoryBudget(what, needs, limit, fix):
      return "\(what) needs \(needs); the memory limit is \(limit). \(fix), or raise the limit with 'memory SIZE' in the REPL or \(MemoryBudget.environmentVariable)."
    case let .invalidState(message):
      return message
    case .interrupted:
      return "Interrupted."
    }
  }
}
