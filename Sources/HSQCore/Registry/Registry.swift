import Foundation
import Synchronization

/// What kind of component a registry table holds.
public struct ComponentKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public var description: String { rawValue }

  public static let compressor = ComponentKind(rawValue: "compressor")
  public static let codebook = ComponentKind(rawValue: "codebook")
  public static let model = ComponentKind(rawValue: "model")
  public static let dataset = ComponentKind(rawValue: "dataset")
  public static let partition = ComponentKind(rawValue: "partition")
  /// How the server combines the workers' decoded messages into one update.
  public static let aggregator = ComponentKind(rawValue: "aggregator")
  /// How the server moves the model with the aggregated update.
  public static let serverOptimizer = ComponentKind(rawValue: "server-optimizer")
}

/// The declaration of a registered component: what help, apropos and completion show.
public struct ComponentInfo: Sendable, Hashable {
  public let kind: ComponentKind
  public let name: String
  /// One line.
  public let summary: String
  /// The discussion (the component's doc comment after its summary).
  public let doc: String
  public let parameters: [ParameterSpec]

  /// A declaration; built-ins leave `summary` and `doc` empty and get them from their doc
  /// comment (see ``documented(by:)``).
  public init(kind: ComponentKind, name: String, summary: String = "", doc: String = "", parameters: [ParameterSpec] = []) {
    self.kind = kind
    self.name = name
    self.summary = summary
    self.doc = doc
    self.parameters = parameters
  }

  /// This declaration with an empty summary and discussion taken from `comment`, a doc comment
  /// without its `///` markers: the first paragraph is the summary, the rest the discussion.
  /// Markdown code fences and bold markers are dropped, since help prints to a terminal.
  public func documented(by comment: String?) -> ComponentInfo {
    guard let comment else { return self }
    let lines = comment.components(separatedBy: "\n")
      .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("```") }
      .map { $0.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "``", with: "`") }
    let firstBreak = lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).isEmpty } ?? lines.endIndex
    let summary = lines[..<firstBreak].map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    var rest = Array(lines[firstBreak...])
    while rest.first?.trimmingCharacters(in: .whitespaces).isEmpty == true { rest.removeFirst() }
    while rest.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { rest.removeLast() }
    return ComponentInfo(
      kind: kind, name: name, summary: self.summary.isEmpty ? summary : self.summary,
      doc: doc.isEmpty ? rest.joined(separator: "\n") : doc, parameters: parameters)
  }
}

/// A component type that can be registered: it declares itself and builds from parameters.
public protocol Component: Sendable {
  /// The declaration shown by help.
  static var info: ComponentInfo { get }
}

/// The named components of one kind, each built from validated parameters.
///
/// Lookups of unknown names throw with a "did you mean" suggestion;
/// registering a name twice throws — except that an add-on reloaded from the same file
/// (the same ``AddOnRegistration/owner``) replaces its own components. Safe to use from several threads.
public final class ComponentTable<Product>: Sendable {
  public typealias Entry = (info: ComponentInfo, make: @Sendable (ParameterValues) throws -> Product)
  public let kind: ComponentKind
  private let state = Mutex(State())

  /// The table's contents, changed only under ``state``'s lock.
  private struct State: Sendable {
    var entries: [String: Entry] = [:]
    /// The add-on file that registered a name; built-ins and `register` calls outside a load have none.
    var owners: [String: String] = [:]
    var order: [String] = []
  }

  public init(kind: ComponentKind) { self.kind = kind }

  /// Registers a component.
  ///
  /// Inside an add-on load (``AddOnRegistration/owner`` set), a name the same add-on file
  /// registered before is replaced in place: that is how `reload` picks up edits.
  ///
  /// - Throws: ``HSQError/duplicateName(kind:name:)`` when the name is taken by a built-in or another file.
  public func register(_ info: ComponentInfo, make: @escaping @Sendable (ParameterValues) throws -> Product) throws {
    precondition(info.kind == kind, "registering a \(info.kind) in the \(kind) table")
    let owner = AddOnRegistration.owner
    let kind = kind
    try state.withLock { table throws(HSQError) in
      if table.entries[info.name] != nil {
        guard let owner, table.owners[info.name] == owner else { throw HSQError.duplicateName(kind: kind.rawValue, name: info.name) }
      } else {
        table.order.append(info.name)
      }
      table.entries[info.name] = (info, make)
      table.owners[info.name] = owner
    }
    if owner != nil { AddOnRegistration.noteRegistered(kind: kind, name: info.name) }
  }

  /// The add-on file that registered `name`, or `nil` for a built-in (or an unknown name).
  public func owner(of name: String) -> String? { state.withLock { $0.owners[name] } }

  /// Removes a component (used when a loaded add-on is reloaded).
  public func unregister(_ name: String) {
    state.withLock { table in
      table.entries[name] = nil
      table.owners[name] = nil
      table.order.removeAll { $0 == name }
    }
  }

  /// Registered names in registration order.
  public var names: [String] { state.withLock { $0.order } }

  /// All declarations in registration order.
  public var infos: [ComponentInfo] { state.withLock { table in table.order.compactMap { table.entries[$0]?.info } } }

  public func contains(_ name: String) -> Bool { state.withLock { $0.entries[name] != nil } }

  /// The declaration of `name`.
  public func info(_ name: String) throws -> ComponentInfo {
    try entry(name).info
  }

  /// Validates `request` against the declaration and builds the component.
  public func make(_ request: ComponentRequest) throws -> Product {
    let entry = try entry(request.name)
    let values = try ParameterValues(component: request.name, specs: entry.info.parameters, arguments: request.arguments)
    return try entry.make(values)
  }

  /// Builds the component spelled `name:key=value,…`.
  public func make(_ text: String) throws -> Product {
    try make(ComponentRequest(parsing: text))
  }

  /// The validated parameters `request` would build with (defaults filled in).
  public func values(for request: ComponentRequest) throws -> ParameterValues {
    let entry = try entry(request.name)
    return try ParameterValues(component: request.name, specs: entry.info.parameters, arguments: request.arguments)
  }

  private func entry(_ name: String) throws -> Entry {
    let (found, known) = state.withLock { ($0.entries[name], $0.order) }
    guard let found else {
      throw HSQError.unknownName(kind: kind.rawValue, name: name, suggestion: closestMatch(to: name, in: known))
    }
    return found
  }
}
