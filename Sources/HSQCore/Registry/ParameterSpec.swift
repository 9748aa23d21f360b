import Foundation

/// A value given to a component parameter.
public enum ParameterValue: Sendable, Hashable, Codable, CustomStringConvertible {
  case int(Int)
  case double(Double)
  case string(String)
  case bool(Bool)

  public var description: String {
    switch self {
    case let .int(v): return String(v)
    case let .double(v): return formatNumber(v)
    case let .string(v): return v
    case let .bool(v): return v ? "true" : "false"
    }
  }
}

/// One declared parameter of a component: name, type, default, valid range and a one-line doc.
///
/// Components own their parameters (STYLE.md rule 7); help, completion and
/// parsing all read these declarations.
public struct ParameterSpec: Sendable, Hashable {
  /// The parameter's type and its valid values.
  public enum Kind: Sendable, Hashable {
    case int(ClosedRange<Int>)
    case double(ClosedRange<Double>)
    case choice([String])
    case bool
    case string
    /// A file path (completion offers paths).
    case path
  }

  public let name: String
  public let kind: Kind
  /// The default, or `nil` when the parameter is required (or optional with no value).
  public let defaultValue: ParameterValue?
  /// Whether a value must be given when there is no default.
  public let isRequired: Bool
  public let doc: String
  /// Whether an int parameter also takes the word `auto` (kept as the string `auto`; the component resolves it
  /// by a rule its doc states, see ``ParameterValues/isAuto(_:)``).
  public let acceptsAuto: Bool

  public init(_ name: String, _ kind: Kind, default defaultValue: ParameterValue?, required: Bool = false, acceptsAuto: Bool = false, doc: String) {
    self.name = name
    self.kind = kind
    self.defaultValue = defaultValue
    self.isRequired = required
    self.acceptsAuto = acceptsAuto
    self.doc = doc
  }

  /// The value `auto` stands for until the component resolves it.
  public static let auto = ParameterValue.string("auto")

  /// - Parameter auto: also accept `auto`, which the component resolves by a rule `doc` states.
  public static func int(_ name: String, _ range: ClosedRange<Int>, default value: Int?, auto: Bool = false, doc: String) -> ParameterSpec {
    ParameterSpec(name, .int(range), default: value.map(ParameterValue.int), acceptsAuto: auto, doc: doc)
  }

  public static func double(_ name: String, _ range: ClosedRange<Double>, default value: Double?, doc: String) -> ParameterSpec {
    ParameterSpec(name, .double(range), default: value.map(ParameterValue.double), doc: doc)
  }

  public static func choice(_ name: String, _ choices: [String], default value: String, doc: String) -> ParameterSpec {
    ParameterSpec(name, .choice(choices), default: .string(value), doc: doc)
  }

  /// A choice among the names of `Choice` (``NamedChoice``): help, completion and parsing list its cases.
  public static func choice<Choice: NamedChoice>(_ name: String, _ type: Choice.Type, default value: Choice, doc: String) -> ParameterSpec {
    choice(name, Choice.names, default: value.rawValue, doc: doc)
  }

  public static func bool(_ name: String, default value: Bool, doc: String) -> ParameterSpec {
    ParameterSpec(name, .bool, default: .bool(value), doc: doc)
  }

  public static func string(_ name: String, default value: String?, doc: String) -> ParameterSpec {
    ParameterSpec(name, .string, default: value.map(ParameterValue.string), doc: doc)
  }

  public static func path(_ name: String, required: Bool, doc: String) -> ParameterSpec {
    ParameterSpec(name, .path, default: nil, required: required, doc: doc)
  }

  /// The type and range as shown in help, e.g. `int 1...1024` or `one of nn, unbiased`.
  public var typeDescription: String {
    switch kind {
    case let .int(r): return "int \(r.lowerBound)...\(r.upperBound)" + (acceptsAuto ? " or auto" : "")
    case let .double(r): return "number \(formatNumber(r.lowerBound))...\(formatNumber(r.upperBound))"
    case let .choice(c): return "one of " + c.joined(separator: ", ")
    case .bool: return "true or false"
    case .string: return "text"
    case .path: return "path"
    }
  }

  /// Parses and validates `text` for this parameter of `component`.
  public func parse(_ text: String, component: String) throws -> ParameterValue {
    let value: ParameterValue
    switch kind {
    case .int where acceptsAuto && text == "auto":
      value = Self.auto
    case let .int(range):
      guard let v = Int(text) ?? Double(text).flatMap({ $0.rounded() == $0 && abs($0) < 1e15 ? Int($0) : nil }) else {
        throw problem("'\(clipped(text))' is not a whole number; give a value in \(range.lowerBound)...\(range.upperBound)\(acceptsAuto ? " or auto" : "").", component)
      }
      value = .int(v)
    case let .double(range):
      guard let v = Double(text), v.isFinite else {
        throw problem("'\(clipped(text))' is not a number; give a value in \(formatNumber(range.lowerBound))...\(formatNumber(range.upperBound)).", component)
      }
      value = .double(v)
    case .bool:
      switch text.lowercased() {
      case "true", "yes", "on", "1": value = .bool(true)
      case "false", "no", "off", "0": value = .bool(false)
      default: throw problem("'\(clipped(text))' is not true or false.", component)
      }
    case .choice, .string, .path:
      value = .string(text)
    }
    try check(value, component: component)
    return value
  }

  /// Throws unless `value` is in this parameter's range (or one of its choices): the check
  /// ``parse(_:component:)`` makes after parsing, for values that arrive already typed (a checkpoint's config).
  public func check(_ value: ParameterValue, component: String) throws {
    switch (kind, value) {
    case (.int, Self.auto) where acceptsAuto:
      break
    case let (.int(range), .int(v)):
      guard range.contains(v) else {
        throw problem("\(v) is out of range; give a value in \(range.lowerBound)...\(range.upperBound).", component)
      }
    case let (.double(range), .double(v)):
      guard v.isFinite, range.contains(v) else {
        throw problem("\(formatNumber(v)) is out of range; give a value in \(formatNumber(range.lowerBound))...\(formatNumber(range.upperBound)).", component)
      }
    case let (.choice(choices), .string(text)):
      guard choices.contains(text) else {
        let hint = closestMatch(to: text, in: choices).map { " Did you mean '\($0)'?" } ?? ""
        throw problem("'\(clipped(text))' is not one of \(choices.joined(separator: ", ")).\(hint)", component)
      }
    case let (.string, .string(text)), let (.path, .string(text)):
      guard !text.isEmpty else { throw problem("the value is empty.", component) }
    case (.bool, .bool):
      break
    default:
      throw problem("'\(clipped(value.description))' is not a \(typeDescription).", component)
    }
  }

  private func problem(_ text: String, _ component: String) -> HSQError {
    .invalidParameter(component: component, parameter: name, problem: text)
  }
}

/// Formats a Double for people: integers without a fraction, others with 6 significant digits (`%g`).
public func formatNumber(_ value: Double) -> String {
  if value.isNaN { return "nan" }
  if value.isInfinite { return value > 0 ? "inf" : "-inf" }
  if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
  return String(format: "%g", value)
}
