import HSQCore

/// The aggregator registry: every built-in plus those researchers register.
public enum Aggregators {
  /// All registered aggregators by name.
  public static let registry = ComponentTable<any Aggregator>.builtins(
    .aggregator, builtinAggregatorTypes, docs: builtinDocComments, info: { $0.info }, make: { try $0.init($1) })

  /// Builds the aggregator spelled `name:key=value,…`.
  public static func make(_ spec: String) throws -> any Aggregator {
    try registry.make(spec)
  }

  /// Registers an aggregator type; throws when its name is taken.
  ///
  /// Registered by an add-on, every instance reports its construction and each aggregation to ``AddOnActivity``
  /// first, so a trap in it can be traced to the file.
  public static func register<A: AggregatorComponent>(_ type: A.Type) throws {
    try registry.register(A.info, addOn: { AddOnAggregator(wrapped: $0, owner: $1) }) { try A($0) }
  }
}

/// An add-on's aggregator: reports each call to ``AddOnActivity`` before running the add-on's code.
struct AddOnAggregator: Aggregator {
  let wrapped: any Aggregator
  let owner: String

  var spec: String { wrapped.spec }
  var properties: AggregatorProperties { wrapped.properties }

  func aggregate(_ messages: [[[Float]]]) throws -> [[Float]] {
    AddOnActivity.willRun(owner, "aggregate")
    return try wrapped.aggregate(messages)
  }
}
