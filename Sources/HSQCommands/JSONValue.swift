import Foundation
import HSQ

/// A JSON value with ordered object keys, for `--json` output and notebooks.
public indirect enum JSONValue: Sendable, Hashable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (a: JSONValue, b: JSONValue) -> Bool { a.rendered == b.rendered }
  public func hash(into hasher: inout Hasher) { hasher.combine(rendered) }

  /// A number, or null when not finite (JSON has no NaN).
  public static func number(_ value: Double?) -> JSONValue {
    guard let value, value.isFinite else { return .null }
    return .number(value)
  }

  public static func int(_ value: Int) -> JSONValue { .number(Double(value)) }

  /// Compact JSON text, keys in the order given.
  public var rendered: String {
    switch self {
    case .null: return "null"
    case let .bool(b): return b ? "true" : "false"
    case let .number(x):
      if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
      return "\(x)"
    case let .string(s): return s.jsonQuoted
    case let .array(items): return "[" + items.map(\.rendered).joined(separator: ",") + "]"
    case let .object(pairs): return "{" + pairs.map { $0.0.jsonQuoted + ":" + $0.1.rendered }.joined(separator: ",") + "}"
    }
  }

}
