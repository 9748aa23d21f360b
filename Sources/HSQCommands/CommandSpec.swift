import HSQCore

/// What a word in a command line completes to.
public enum CompletionKind: Sendable, Hashable {
  case none
  /// A command name.
  case command
  /// A component kind (`compressors`, `models`, …) as `list` takes it.
  case listTopic
  /// A registered component of one kind, with its parameters after `:`.
  case component(ComponentKind)
  /// Any registered component name.
  case anyComponent
  /// A help topic: command, component, setting.
  case helpTopic
  /// A session variable.
  case variable
  /// An experiment variable.
  case experiment
  /// An experiment setting name.
  case setting
  /// A metric name for plots.
  case metric
  /// A layer of the current experiment's model.
  case layer
  /// A file path.
  case path
}

/// A positional argument of a command.
public struct ArgumentSpec: Sendable {
  public let name: String
  public let doc: String
  public let completion: CompletionKind
  public let isOptional: Bool
  /// Takes every remaining word.
  public let isVariadic: Bool

  public init(_ name: String, _ doc: String, completion: CompletionKind = .none, optional: Bool = false, variadic: Bool = false) {
    self.name = name
    self.doc = doc
    self.completion = completion
    self.isOptional = optional
    self.isVariadic = variadic
  }
}

/// A `--name value` option or a `--name` flag.
public struct OptionSpec: Sendable {
  public let name: String
  public let doc: String
  /// `nil` for a flag; else the value's placeholder, e.g. `N`.
  public let valueName: String?
  public let completion: CompletionKind

  public init(_ name: String, _ doc: String, value: String? = nil, completion: CompletionKind = .none) {
    self.name = name
    self.doc = doc
    self.valueName = value
    self.completion = completion
  }

  public var isFlag: Bool { valueName == nil }
}

/// One command, declared once: parsing, help, apropos and completion all read this.
public struct CommandSpec: Sendable {
  public let name: String
  public let aliases: [String]
  /// One line for `help`.
  public let abstract: String
  /// More for `help --full` / `??`.
  public let discussion: String
  public let arguments: [ArgumentSpec]
  public let options: [OptionSpec]
  /// Help groups commands by topic.
  public let group: String
  /// Whether `record` keeps this command in a session script.
  public let isRecorded: Bool
  let run: @Sendable (Session, ParsedArguments) throws -> CommandOutput

  public init(
    _ name: String, aliases: [String] = [], group: String, abstract: String, discussion: String = "",
    arguments: [ArgumentSpec] = [], options: [OptionSpec] = [], recorded: Bool = true,
    run: @escaping @Sendable (Session, ParsedArguments) throws -> CommandOutput
  ) {
    self.name = name
    self.aliases = aliases
    self.group = group
    self.abstract = abstract
    self.discussion = discussion
    self.arguments = arguments
    self.options = options
    self.isRecorded = recorded
    self.run = run
  }

  /// `name <arg> [<optional>] [--option N] [--flag]`.
  public var usage: String {
    var parts = [name]
    for a in arguments {
      let word = "<\(a.name)>" + (a.isVariadic ? "…" : "")
      parts.append(a.isOptional ? "[\(word)]" : word)
    }
    for o in options { parts.append("[--\(o.name)\(o.valueName.map { " \($0)" } ?? "")]") }
    return parts.joined(separator: " ")
  }
}

/// A command line parsed against its declaration.
public struct ParsedArguments: Sendable {
  public let command: String
  public let positional: [String]
  public let options: [String: String]
  public let flags: Set<String>

  public func option(_ name: String) -> String? { options[name] }
  public func flag(_ name: String) -> Bool { flags.contains(name) }

  /// Positional argument `i`, or `nil`.
  public func argument(_ i: Int) -> String? { i < positional.count ? positional[i] : nil }

  /// An integer option with a range check.
  public func int(_ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
    guard let text = options[name] else { return value }
    guard let v = Int(text), range.contains(v) else {
      throw HSQError.outOfRange(value: "--\(name) \(text)", range: Double(range.lowerBound)...Double(range.upperBound), whole: true)
    }
    return v
  }

  /// A number option with a range check.
  public func double(_ name: String, in range: ClosedRange<Double>) throws -> Double? {
    guard let text = options[name] else { return nil }
    guard let v = Double(text), v.isFinite, range.contains(v) else {
      throw HSQError.outOfRange(value: "--\(name) \(text)", range: range, whole: false)
    }
    return v
  }
}
