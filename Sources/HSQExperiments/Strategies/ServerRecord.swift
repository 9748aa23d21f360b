import HSQCore

/// The server optimizer's state after a step, in the step record of every strategy but the default
/// (`mean` + `sgd`, whose records keep the fields they always had).
///
/// Written as one object, `"server": {"steps": 3, "m_norm": 0.41, "v_norm": 0.002}`: the optimizer's steps
/// (absent for `sgd`, whose velocity has no count) and ‖buffer‖ over all layers for each state buffer,
/// in alphabetical order. `export` makes them the columns `server.steps`, `server.m_norm`, ….
public struct ServerRecord: Codable, Sendable, Hashable {
  /// Steps the optimizer's state has taken, this one included.
  public var steps: Int?
  /// Each state buffer's name and norm, ordered by name.
  public var norms: [Norm]

  public struct Norm: Sendable, Hashable {
    public var name: String
    public var value: Double
  }

  public init(steps: Int?, norms: [(String, Double)]) {
    self.steps = steps
    self.norms = norms.map { Norm(name: $0.0, value: $0.1) }.sorted { $0.name < $1.name }
  }

  /// The record's fields by their names in JSON and `export`, in order: `steps`, then `NAME_norm`.
  public var fields: [(key: String, value: Double)] {
    (steps.map { [("steps", Double($0))] } ?? []) + norms.map { ("\($0.name)_norm", $0.value) }
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: RecordKey.self)
    steps = try container.decodeIfPresent(Int.self, forKey: RecordKey(stringValue: "steps"))
    norms = try container.allKeys.filter { $0.stringValue.hasSuffix("_norm") }.map { key in
      Norm(name: String(key.stringValue.dropLast("_norm".count)), value: try container.decode(Double.self, forKey: key))
    }.sorted { $0.name < $1.name }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: RecordKey.self)
    if let steps { try container.encode(steps, forKey: RecordKey(stringValue: "steps")) }
    for norm in norms { try container.encode(norm.value, forKey: RecordKey(stringValue: "\(norm.name)_norm")) }
  }
}
