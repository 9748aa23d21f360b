import Foundation
import HSQCore

/// Step records as flat, pandas-ready columns, written as CSV or JSON lines.
///
/// One row a step; per-layer quantities become columns named
/// `<layer>.<quantity>` (e.g. `fc1.weight.rho`), and a transport's wire figures
/// `wire.<quantity>` (e.g. `wire.bytes_up`) when some step ran on one. Missing values are empty in
/// CSV and `null` in JSON (so are NaN and infinities, which JSON lacks).
public struct MetricsTable: Sendable {
  public let columns: [String]
  public let rows: [[Double?]]

  /// The table of `records`, read from their own encoding: the columns are the names `--json` and
  /// checkpoints use, in the order records encode them, then `<layer>.<quantity>` for each layer's measurements.
  public init(_ records: [StepRecord]) {
    let recordKeys = StepRecord.CodingKeys.allCases.filter(\.isColumn).map(\.stringValue)
    let layerKeys = LayerRecord.CodingKeys.allCases.filter { !$0.isIdentity }.map(\.stringValue)
    let layerNames = records.first?.layers.map(\.name) ?? []
    // What a transport put on the wire (`wire.bytes_up` …), when some step ran on one (none in process).
    let wireKeys = records.contains { $0.wire != nil } ? WireRecord.CodingKeys.allCases.map(\.stringValue) : []
    let wireName = StepRecord.CodingKeys.wire.stringValue
    // The server optimizer's state norms (`server.m_norm` …), when the strategy is not the default.
    let serverKeys = records.first { $0.server != nil }?.server?.fields.map(\.key) ?? []
    let serverName = StepRecord.CodingKeys.server.stringValue
    columns = recordKeys + wireKeys.map { "\(wireName).\($0)" } + serverKeys.map { "\(serverName).\($0)" }
      + layerNames.flatMap { name in layerKeys.map { "\(name).\($0)" } }
    rows = records.map { record in
      let fields = EncodedFields(record)
      var row = recordKeys.map { fields.numbers[$0] ?? nil }
      row += wireKeys.map { fields.wire?.numbers[$0] ?? nil }
      let server = Dictionary(uniqueKeysWithValues: record.server?.fields ?? [])
      row += serverKeys.map { server[$0] }
      for name in layerNames {
        let layer = fields.layers.first { $0.name == name }
        row += layerKeys.map { layer?.numbers[$0] ?? nil }
      }
      return row
    }
  }

  /// The table as CSV with a header line.
  public var csv: String { text.csv }

  /// One JSON object a row.
  public var jsonLines: String { text.jsonLines }

  /// Writes CSV (`.csv`) or JSON lines (`.jsonl`, `.json`) by the path's extension, atomically.
  public func write(to path: String) throws { try text.write(to: path) }

  private var text: TableText {
    TableText(columns: columns, rows: rows.map { $0.map(LongMetricsTable.Cell.number) })
  }
}

/// A record's numeric fields by name, as its `Encodable` conformance writes them (null: `nil`).
private struct EncodedFields: Decodable {
  var name: String?
  var numbers: [String: Double?] = [:]
  var layers: [EncodedFields] = []
  var wire: Box?

  /// The nested wire figures (a class: a struct cannot hold itself).
  final class Box: Decodable {
    let numbers: [String: Double?]
    init(from decoder: any Decoder) throws { numbers = try EncodedFields(from: decoder).numbers }
  }

  init(_ record: StepRecord) {
    let encoder = JSONEncoder()
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    // A record always encodes (numbers, text, booleans and a list of layers) and reads back.
    self = (try? encoder.encode(record)).flatMap { try? decoder.decode(Self.self, from: $0) } ?? EncodedFields()
  }

  private init() {}

  init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: RecordKey.self)
    for key in container.allKeys {
      if key.stringValue == StepRecord.CodingKeys.layers.stringValue {
        layers = try container.decode([EncodedFields].self, forKey: key)
      } else if key.stringValue == StepRecord.CodingKeys.wire.stringValue {
        wire = try container.decode(Box.self, forKey: key)
      } else if key.stringValue == StepRecord.CodingKeys.server.stringValue {
        continue
      } else if key.stringValue == LayerRecord.CodingKeys.name.stringValue {
        name = try container.decode(String.self, forKey: key)
      } else if try container.decodeNil(forKey: key) {
        numbers[key.stringValue] = .some(nil)
      } else if let number = try? container.decode(Double.self, forKey: key) {
        numbers[key.stringValue] = number
      }
    }
  }
}
