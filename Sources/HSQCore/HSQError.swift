/// The one error type hsq shows to people.
///
/// Every failure a user can reach is one of these cases, rendered in one
/// place (``description``) as a sentence that names the problem and the fix.
/// Names are in single quotes and sentences end with a period. The common
/// shapes (an unknown name, a value out of range, a missing argument, a
/// malformed line of a file, …) are structured cases; `invalidArgument` and
/// `invalidState` carry the rest as free text.
public enum HSQError: Error, Equatable, Sendable, UserFacingError {
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
  /// A value that is not one of a fixed set of names: `what` names the set with its article (`an axis`).
  case notOneOf(value: String, what: String, choices: [String])
  /// An unknown member of a list the message shows in full: `owner` names the list (`The model's layers`).
  case unknownMember(kind: String, name: String, owner: String, members: [String])
  /// A number that does not parse or lies outside `range`; `value` is shown as given (`--height 3`).
  case outOfRange(value: String, range: ClosedRange<Double>, whole: Bool)
  /// An option the command does not declare; `suggestion` is the closest declared one.
  case unknownOption(command: String, option: String, suggestion: String?)
  /// An option given without the value it takes (`valueName`, e.g. `AXIS`).
  case missingValue(command: String, option: String, valueName: String)
  /// A command given without a required argument: its name, its doc and the command's usage.
  case missingArgument(command: String, argument: String, doc: String, usage: String)
  /// A command given more arguments than it takes (`limit`); `extra` is the first one too many.
  case extraArgument(command: String, limit: Int, extra: String, usage: String)
  /// Something a command needs that does not exist yet: `thing` (`experiment yet`) and how to make it.
  case missing(thing: String, plural: Bool, fix: String)
  /// Text that should be `key=value`, as found `within` a longer text, with an `example` of the fix.
  case notKeyValue(text: String, within: String?, example: String, hint: String?)
  /// A failure at `line` of the script `file`; `message` is the failure's own.
  case atLine(file: String, line: Int, message: String)
  /// A file whose format (`what`, e.g. `codebook format`) its extension does not tell; `alternative` is another fix.
  case unknownExtension(path: String, what: String, extensions: [String], alternative: String?)
  /// Parameters that break a rule of `subject` (`is a basis, so it needs k = dim`); `given` shows them, `fix` what to write.
  case constraint(subject: String, rule: String, given: String, fix: String)
  /// A component that does not fit its input: `Model 'softmax' needs class labels but the dataset is a regression; use …`.
  case incompatible(subject: String, needs: String, found: String, fix: String)
  /// A name bound to a value of another kind: `'q' is a compressor, not an experiment`.
  case wrongKind(name: String, kind: String, expected: String)

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
    case let .notOneOf(value, what, choices):
      let hint = closestMatch(to: value, in: choices).map { ". Did you mean '\($0)'? Use " } ?? "; use "
      return "'\(clipped(value))' is not \(what)\(hint)\(Self.list(choices, or: true))."
    case let .unknownMember(kind, name, owner, members):
      let hint = closestMatch(to: name, in: members).map { " Did you mean '\($0)'?" } ?? ""
      return "Unknown \(kind) '\(clipped(name))'.\(hint) \(owner): \(members.joined(separator: ", "))."
    case let .outOfRange(value, range, whole):
      return "'\(value)' is not a \(whole ? "whole number" : "number") in \(formatNumber(range.lowerBound))...\(formatNumber(range.upperBound))."
    case let .unknownOption(command, option, suggestion):
      let hint = suggestion.map { " Did you mean '--\($0)'?" } ?? ""
      return "'\(command)' has no option '--\(option)'.\(hint) Try 'help \(command)'."
    case let .missingValue(command, option, valueName):
      return "'--\(option)' needs a value (\(valueName)); try 'help \(command)'."
    case let .missingArgument(command, argument, doc, usage):
      return "'\(command)' needs <\(argument)> (\(doc)). Usage: \(usage)"
    case let .extraArgument(command, limit, extra, usage):
      return "'\(command)' takes at most \(limit) argument(s); got '\(extra)'. Usage: \(usage)"
    case let .missing(thing, plural, fix):
      return "There \(plural ? "are" : "is") no \(thing); \(fix)."
    case let .notKeyValue(text, within, example, hint):
      return "'\(text)'\(within.map { " in '\($0)'" } ?? "") is not key=value; write e.g. '\(example)'\(hint.map { " (\($0))" } ?? "")."
    case let .atLine(file, line, message):
      return "\(file):\(line): \(message)"
    case let .unknownExtension(path, what, extensions, alternative):
      let names = Self.list(extensions.map { "'.\($0)'" }, or: true)
      return "Cannot tell the \(what) of '\(path)' from its extension; name the file \(names)\(alternative.map { ", or \($0)" } ?? "")."
    case let .constraint(subject, rule, given, fix):
      return "\(subject) \(rule); got \(given). \(fix)."
    case let .incompatible(subject, needs, found, fix):
      return "\(subject) needs \(needs) but \(found); \(fix)."
    case let .wrongKind(name, kind, expected):
      return "'\(name)' is a \(kind), not \(expected)."
    }
  }
}

extension HSQError {
  /// `a, b or c` (`or`) / `a, b and c`.
  static func list(_ items: [String], or: Bool) -> String {
    guard items.count > 1 else { return items.first ?? "" }
    return items.dropLast().joined(separator: ", ") + (or ? " or " : " and ") + items.last!
  }
}
