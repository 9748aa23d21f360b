/// The validated parameters of one component instance, defaults filled in.
public struct ParameterValues: Sendable, Hashable {
  /// The component these values are for.
  public let component: String
  /// Values by parameter name; absent for optional parameters given no value.
  public let values: [String: ParameterValue]
  /// Declaration order, for a canonical spelling.
  public let order: [String]

  /// Validates `arguments` (name → text) against `specs`, filling in defaults.
  ///
  /// - Throws: ``HSQError/invalidParameter(component:parameter:problem:)`` for an
  ///   undeclared name (with a suggestion), a bad value or a missing required one.
  public init(component: String, specs: [ParameterSpec], arguments: [(String, String)]) throws {
    var values: [String: ParameterValue] = [:]
    for spec in specs { if let d = spec.defaultValue { values[spec.name] = d } }
    var seen = Set<String>()
    for (name, text) in arguments {
      guard let spec = specs.first(where: { $0.name == name }) else {
        let known = specs.map(\.name)
        let hint = closestMatch(to: name, in: known).map { " Did you mean '\($0)'?" } ?? ""
        let list = known.isEmpty ? "it takes no parameters" : "its parameters are " + known.joined(separator: ", ")
        throw HSQError.invalidParameter(component: component, parameter: name, problem: "'\(component)' has no such parameter; \(list).\(hint)")
      }
      guard seen.insert(name).inserted else {
        throw HSQError.invalidParameter(component: component, parameter: name, problem: "given twice; give it once.")
      }
      values[name] = try spec.parse(text, component: component)
    }
    for spec in specs where spec.isRequired && values[spec.name] == nil {
      throw HSQError.invalidParameter(component: component, parameter: spec.name, problem: "is required (\(spec.doc)); add '\(spec.name)=…'.")
    }
    self.component = component
    self.values = values
    self.order = specs.map(\.name)
  }

  /// Values built directly (already valid).
  public init(component: String, values: [String: ParameterValue], order: [String]) {
    self.component = component
    self.values = values
    self.order = order
  }

  public func int(_ name: String) -> Int {
    guard case let .int(v)? = values[name] else { preconditionFailure("parameter '\(name)' is not a declared int") }
    return v
  }

  public func double(_ name: String) -> Double {
    switch values[name] {
    case let .double(v)?: return v
    case let .int(v)?: return Double(v)
    default: preconditionFailure("parameter '\(name)' is not a declared number")
    }
  }

  public func string(_ name: String) -> String {
    guard case let .string(v)? = values[name] else { preconditionFailure("parameter '\(name)' is not a declared string") }
    return v
  }

  /// The value of a choice declared with ``ParameterSpec/choice(_:_:default:doc:)``, as its case.
  public func choice<Choice: NamedChoice>(_ name: String, as type: Choice.Type = Choice.self) -> Choice {
    guard let value = Choice(rawValue: string(name)) else { preconditionFailure("parameter '\(name)' is not a declared \(Choice.self)") }
    return value
  }

  public func bool(_ name: String) -> Bool {
    guard case let .bool(v)? = values[name] else { preconditionFailure("parameter '\(name)' is not a declared bool") }
    return v
  }

  /// The value of an optional parameter, or `nil` when none was given.
  public func optionalString(_ name: String) -> String? {
    if case let .string(v)? = values[name] { return v }
    return nil
  }

  public func optionalInt(_ name: String) -> Int? {
    if case let .int(v)? = values[name] { return v }
    return nil
  }

  /// Whether the int parameter `name` was given as `auto` (declared with `auto: true`).
  public func isAuto(_ name: String) -> Bool {
    values[name] == ParameterSpec.auto
  }

  /// The same values with `name` set to `value`: how a component records what its `auto` resolved to.
  public func setting(_ name: String, to value: ParameterValue) -> ParameterValues {
    var values = values
    values[name] = value
    return ParameterValues(component: component, values: values, order: order)
  }

  /// The same values without `names`: what a canonical spelling shows when other parameters override them.
  public func removing(_ names: Set<String>) -> ParameterValues {
    ParameterValues(component: component, values: values.filter { !names.contains($0.key) }, order: order)
  }

  /// The canonical spelling `name:key=value,…` with every value shown.
  public var canonical: String {
    let parts = order.compactMap { key in values[key].map { "\(key)=\($0)" } }
    return parts.isEmpty ? component : component + ":" + parts.joined(separator: ",")
  }
}

/// A component request as typed: `name` or `name:key=value,key=value`.
public struct ComponentRequest: Sendable, Hashable {
  public let name: String
  public let arguments: [(String, String)]

  public init(name: String, arguments: [(String, String)]) {
    self.name = name
    self.arguments = arguments
  }

  /// Parses `hsq:dim=16,k=256`.
  ///
  /// - Throws: ``HSQError/invalidArgument(_:)`` for an empty name, ``HSQError/notKeyValue(text:within:example:hint:)`` for an argument without `=`.
  public init(parsing text: String) throws {
    let trimmed = text.trimmingWhitespace()
    let colon = trimmed.firstIndex(of: ":")
    let name = String(colon.map { trimmed[..<$0] } ?? trimmed[...])
    guard !name.isEmpty else {
      throw HSQError.invalidArgument("'\(text)' has no component name; write 'name' or 'name:key=value,…'.")
    }
    var arguments: [(String, String)] = []
    if let colon {
      let rest = trimmed[trimmed.index(after: colon)...]
      for part in rest.split(separator: ",", omittingEmptySubsequences: true) {
        guard let eq = part.firstIndex(of: "=") else {
          throw HSQError.notKeyValue(text: String(part), within: text, example: "\(name):\(part)=…", hint: nil)
        }
        let key = part[..<eq].trimmingWhitespace()
        let value = part[part.index(after: eq)...].trimmingWhitespace()
        arguments.append((key, value))
      }
    }
    self.name = name
    self.arguments = arguments
  }

  public static func == (a: ComponentRequest, b: ComponentRequest) -> Bool {
    a.name == b.name && a.arguments.map { "\($0.0)=\($0.1)" } == b.arguments.map { "\($0.0)=\($0.1)" }
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(name)
    for (k, v) in arguments { hasher.combine(k); hasher.combine(v) }
  }
}

extension StringProtocol {
  /// The text without leading and trailing spaces, tabs and newlines.
  public func trimmingWhitespace() -> String {
    var s = Substring(self)
    while let f = s.first, f.isWhitespace { s.removeFirst() }
    while let l = s.last, l.isWhitespace { s.removeLast() }
    return String(s)
  }
}
