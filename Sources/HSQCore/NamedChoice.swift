/// A setting whose values are a fixed set of names, parsed once at the edge.
///
/// The raw values are the spellings people type and files store (a
/// checkpoint's config, a recorded session), so renaming a case keeps its raw
/// value. Help, completion and ``ParameterSpec/choice(_:_:default:doc:)`` read
/// ``names``; ``init(parsing:what:)`` is the one parser.
public protocol NamedChoice: RawRepresentable, CaseIterable, Codable, Hashable, Sendable where RawValue == String {}

extension NamedChoice {
  /// Every spelling, in declaration order.
  public static var names: [String] { allCases.map(\.rawValue) }

  /// The case spelled `text`.
  ///
  /// - Parameter what: the set with its article, e.g. `an axis`, for the message.
  /// - Throws: ``HSQError/notOneOf(value:what:choices:)`` with the closest name and every name.
  public init(parsing text: String, what: String) throws {
    guard let value = Self(rawValue: text) else { throw HSQError.notOneOf(value: text, what: what, choices: Self.names) }
    self = value
  }
}
