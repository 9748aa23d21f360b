import HSQCore

/// How step records name their fields in JSON.
///
/// ``current`` is the one set of names every output uses — `--json`,
/// `export` (CSV and JSON lines) and checkpoints: `train_loss`, `bits_up`,
/// `rho`, … (the coding keys' raw values). ``version1`` is the Swift property
/// names (`trainLoss`, `bitsUp`, `observedRho`) that version-1 checkpoints hold
/// and that the digest of a recorded session is computed over, so old files
/// still load and old recordings still verify. Set it with
/// ``CodingUserInfoKey/recordKeyNames`` in an encoder's or decoder's `userInfo`.
public enum RecordKeyNames: Sendable {
  case current
  case version1
}

extension CodingUserInfoKey {
  /// The ``RecordKeyNames`` step records are written or read with; absent means ``RecordKeyNames/current``.
  public static let recordKeyNames = CodingUserInfoKey(rawValue: "hsq.recordKeyNames")!
}

extension StepRecord {
  /// The fields' names in ``RecordKeyNames/current``; ``version1Name`` in ``RecordKeyNames/version1``.
  public enum CodingKeys: String, RecordCodingKey {
    case step, epoch, lr
    case trainLoss = "train_loss"
    case testLoss = "test_loss"
    case testAccuracy = "test_accuracy"
    case testExamples = "test_examples"
    case participants
    case bitsUp = "bits_up"
    case bitsDown = "bits_down"
    case cumulativeBitsUp = "cumulative_bits_up"
    case cumulativeBitsDown = "cumulative_bits_down"
    case gradientNorm = "gradient_norm"
    case distanceToOptimum = "distance_to_optimum"
    case layers
    case computeSeconds = "compute_s"
    case compressSeconds = "compress_s"
    case wallSeconds = "wall_s"
    case cumulativeWallSeconds = "cumulative_wall_s"
    case roundSeconds = "round_s"
    case cumulativeRoundSeconds = "cumulative_round_s"
    case roundTimeMeasured = "round_time_measured"
    /// A transport backend's figures (``WireRecord``); written only when the step had any (not in process).
    case wire
    /// The server optimizer's state (``ServerRecord``); written only for a strategy other than `mean` + `sgd`.
    case server

    public var version1Name: String { StepRecord.field(self).version1Name ?? rawValue }

    /// Whether the field is a number column of its own in `export` (not the nested layers or wire figures).
    public var isColumn: Bool { self != .layers && self != .wire && self != .server }
  }

  /// Each field's place in the record and, where it differs, its version-1 name: the one list that encoding,
  /// decoding and ``RecordKeyNames/version1`` go through (in the keys' order).
  fileprivate static func field(_ key: CodingKeys) -> RecordField<StepRecord, CodingKeys> {
    switch key {
    case .step: .required(\.step)
    case .epoch: .required(\.epoch)
    case .lr: .required(\.lr)
    case .trainLoss: .required(\.trainLoss, version1: "trainLoss")
    case .testLoss: .optional(\.testLoss, version1: "testLoss")
    case .testAccuracy: .optional(\.testAccuracy, version1: "testAccuracy")
    case .testExamples: .optional(\.testExamples, version1: "testExamples")
    case .participants: .required(\.participants)
    case .bitsUp: .required(\.bitsUp, version1: "bitsUp")
    case .bitsDown: .required(\.bitsDown, version1: "bitsDown")
    case .cumulativeBitsUp: .required(\.cumulativeBitsUp, version1: "cumulativeBitsUp")
    case .cumulativeBitsDown: .required(\.cumulativeBitsDown, version1: "cumulativeBitsDown")
    // Left out only when the experiment does not track it, so records that have it are written as always.
    case .gradientNorm: .omittedWhenMissing(\.gradientNorm, version1: "gradientNorm")
    case .distanceToOptimum: .optional(\.distanceToOptimum, version1: "distanceToOptimum")
    case .layers: .required(\.layers)
    case .computeSeconds: .required(\.computeSeconds, version1: "computeSeconds")
    case .compressSeconds: .required(\.compressSeconds, version1: "compressSeconds")
    case .wallSeconds: .optional(\.wallSeconds, version1: "wallSeconds")
    case .cumulativeWallSeconds: .optional(\.cumulativeWallSeconds, version1: "cumulativeWallSeconds")
    case .roundSeconds: .optional(\.roundSeconds, version1: "roundSeconds")
    case .cumulativeRoundSeconds: .optional(\.cumulativeRoundSeconds, version1: "cumulativeRoundSeconds")
    case .roundTimeMeasured: .optional(\.roundTimeMeasured, version1: "roundTimeMeasured")
    // In process there is no wire, and the records keep the fields they always had.
    case .wire: .omittedWhenMissing(\.wire)
    // Under the default strategy the records keep the fields they always had.
    case .server: .omittedWhenMissing(\.server)
    }
  }

  /// The record decoding starts from: every required field is read over it.
  private static let blank = StepRecord(
    step: 0, epoch: 0, lr: 0, trainLoss: 0, participants: 0, bitsUp: 0, bitsDown: 0, cumulativeBitsUp: 0, cumulativeBitsDown: 0,
    gradientNorm: 0, layers: [], computeSeconds: 0, compressSeconds: 0)

  public init(from decoder: any Decoder) throws {
    self = try RecordCoding.decode(Self.blank, from: decoder, fields: Self.field)
  }

  public func encode(to encoder: any Encoder) throws {
    try RecordCoding.encode(self, to: encoder, fields: Self.field)
  }
}

extension WireRecord {
  /// The fields' names in ``RecordKeyNames/current``; ``version1Name`` in ``RecordKeyNames/version1``.
  public enum CodingKeys: String, RecordCodingKey {
    case bytesDown = "bytes_down"
    case bytesUp = "bytes_up"
    case payloadBytesUp = "payload_bytes_up"
    case diagnosticBytesUp = "diagnostic_bytes_up"
    case processes
    case exchangeSeconds = "exchange_s"
    case slowestWorkerSeconds = "slowest_worker_s"
    case serverSeconds = "server_s"

    public var version1Name: String {
      switch self {
      case .bytesDown: return "bytesDown"
      case .bytesUp: return "bytesUp"
      case .payloadBytesUp: return "payloadBytesUp"
      case .diagnosticBytesUp: return "diagnosticBytesUp"
      case .exchangeSeconds: return "exchangeSeconds"
      case .slowestWorkerSeconds: return "slowestWorkerSeconds"
      case .serverSeconds: return "serverSeconds"
      case .processes: return rawValue
      }
    }
  }

  public init(from decoder: any Decoder) throws {
    let c = try RecordFields<CodingKeys>(decoder)
    self.init(
      bytesDown: try c.decode(.bytesDown), bytesUp: try c.decode(.bytesUp), payloadBytesUp: try c.decode(.payloadBytesUp),
      diagnosticBytesUp: try c.decode(.diagnosticBytesUp), processes: try c.decode(.processes),
      exchangeSeconds: try c.decode(.exchangeSeconds), slowestWorkerSeconds: try c.decode(.slowestWorkerSeconds),
      serverSeconds: try c.decode(.serverSeconds))
  }

  public func encode(to encoder: any Encoder) throws {
    var c = RecordFieldWriter<CodingKeys>(encoder)
    try c.encode(bytesDown, .bytesDown)
    try c.encode(bytesUp, .bytesUp)
    try c.encode(payloadBytesUp, .payloadBytesUp)
    try c.encode(diagnosticBytesUp, .diagnosticBytesUp)
    try c.encode(processes, .processes)
    try c.encode(exchangeSeconds, .exchangeSeconds)
    try c.encode(slowestWorkerSeconds, .slowestWorkerSeconds)
    try c.encode(serverSeconds, .serverSeconds)
  }
}

extension LayerRecord {
  /// The fields' names in ``RecordKeyNames/current``; ``version1Name`` in ``RecordKeyNames/version1``.
  public enum CodingKeys: String, RecordCodingKey {
    case name, compressed, count, bits
    case observedRho = "rho"
    case exactRho = "exact_rho"
    case boundRho = "bound_rho"
    case worstCase = "worst_case"
    case guarantee
    case gradientNorm = "gradient_norm"

    public var version1Name: String { LayerRecord.field(self).version1Name ?? rawValue }

    /// Whether the field names the layer rather than measures it (not a column of its own in `export`).
    public var isIdentity: Bool { [.name, .compressed, .count, .guarantee].contains(self) }
  }

  /// Each field's place in the record and, where it differs, its version-1 name: the one list that encoding,
  /// decoding and ``RecordKeyNames/version1`` go through (in the keys' order).
  fileprivate static func field(_ key: CodingKeys) -> RecordField<LayerRecord, CodingKeys> {
    switch key {
    case .name: .required(\.name)
    case .compressed: .required(\.compressed)
    case .count: .required(\.count)
    case .bits: .required(\.bits)
    case .observedRho: .required(\.observedRho, version1: "observedRho")
    case .exactRho: .optional(\.exactRho, version1: "exactRho")
    case .boundRho: .optional(\.boundRho, version1: "boundRho")
    case .worstCase: .optional(\.worstCase, version1: "worstCase")
    case .guarantee: .required(\.guarantee)
    // Left out only when the experiment does not track it, so records that have it are written as always.
    case .gradientNorm: .omittedWhenMissing(\.gradientNorm, version1: "gradientNorm")
    }
  }

  /// The record decoding starts from: every required field is read over it.
  private static let blank = LayerRecord(name: "", compressed: false, count: 0, bits: 0, observedRho: 0, guarantee: "", gradientNorm: 0)

  public init(from decoder: any Decoder) throws {
    self = try RecordCoding.decode(Self.blank, from: decoder, fields: Self.field)
  }

  public func encode(to encoder: any Encoder) throws {
    try RecordCoding.encode(self, to: encoder, fields: Self.field)
  }
}

/// A record's coding key: its raw value is the current name, ``version1Name`` the name version-1 files use.
public protocol RecordCodingKey: CodingKey, CaseIterable, Sendable {
  /// The Swift property name, which version-1 checkpoints and session digests use.
  var version1Name: String { get }
}

/// A coding key spelled as the file spells it.
struct RecordKey: CodingKey {
  let stringValue: String
  var intValue: Int? { nil }
  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

extension RecordKeyNames {
  /// `key` as spelled under these names.
  func spelling(_ key: some RecordCodingKey) -> String {
    self == .current ? key.stringValue : key.version1Name
  }

  init(_ userInfo: [CodingUserInfoKey: Any]) {
    self = userInfo[.recordKeyNames] as? RecordKeyNames ?? .current
  }
}

/// Reads a record's fields under the decoder's ``RecordKeyNames``.
private struct RecordFields<Key: RecordCodingKey> {
  let container: KeyedDecodingContainer<RecordKey>
  let names: RecordKeyNames

  init(_ decoder: any Decoder) throws {
    container = try decoder.container(keyedBy: RecordKey.self)
    names = RecordKeyNames(decoder.userInfo)
  }

  func decode<T: Decodable>(_ key: Key) throws -> T {
    try container.decode(T.self, forKey: RecordKey(stringValue: names.spelling(key)))
  }

  func decodeIfPresent<T: Decodable>(_ key: Key) throws -> T? {
    try container.decodeIfPresent(T.self, forKey: RecordKey(stringValue: names.spelling(key)))
  }
}

/// Writes a record's fields under the encoder's ``RecordKeyNames``: a missing value is `null` in
/// the current names (every output has every field) and left out in version 1 (as Swift's synthesized coding did).
private struct RecordFieldWriter<Key: RecordCodingKey> {
  var container: KeyedEncodingContainer<RecordKey>
  let names: RecordKeyNames

  init(_ encoder: any Encoder) {
    container = encoder.container(keyedBy: RecordKey.self)
    names = RecordKeyNames(encoder.userInfo)
  }

  mutating func encode<T: Encodable>(_ value: T, _ key: Key) throws {
    try container.encode(value, forKey: RecordKey(stringValue: names.spelling(key)))
  }

  mutating func encodeOptional<T: Encodable>(_ value: T?, _ key: Key) throws {
    let key = RecordKey(stringValue: names.spelling(key))
    if let value {
      try container.encode(value, forKey: key)
    } else if names == .current {
      try container.encodeNil(forKey: key)
    }
  }
}

/// How one field of a record is written and read: the record's key path, and what a missing value does.
fileprivate struct RecordField<Record, Key: RecordCodingKey> {
  /// The field's name in version-1 files, when it is not the current one.
  var version1Name: String?
  let encode: (Record, Key, inout RecordFieldWriter<Key>) throws -> Void
  let decode: (inout Record, Key, RecordFields<Key>) throws -> Void

  /// A field every record has.
  static func required<T: Codable>(_ path: WritableKeyPath<Record, T>, version1 name: String? = nil) -> Self {
    Self(version1Name: name, encode: { record, key, writer in try writer.encode(record[keyPath: path], key) },
         decode: { record, key, reader in record[keyPath: path] = try reader.decode(key) })
  }

  /// A field that may be missing: `null` in the current names, left out in version 1.
  static func optional<T: Codable>(_ path: WritableKeyPath<Record, T?>, version1 name: String? = nil) -> Self {
    Self(version1Name: name, encode: { record, key, writer in try writer.encodeOptional(record[keyPath: path], key) },
         decode: { record, key, reader in record[keyPath: path] = try reader.decodeIfPresent(key) })
  }

  /// A field written only when present, under either names.
  static func omittedWhenMissing<T: Codable>(_ path: WritableKeyPath<Record, T?>, version1 name: String? = nil) -> Self {
    Self(version1Name: name, encode: { record, key, writer in if let value = record[keyPath: path] { try writer.encode(value, key) } },
         decode: { record, key, reader in record[keyPath: path] = try reader.decodeIfPresent(key) })
  }
}

/// Encoding and decoding a record field by field, every key in declaration order.
private enum RecordCoding {
  static func encode<Record, Key>(_ record: Record, to encoder: any Encoder, fields: (Key) -> RecordField<Record, Key>) throws {
    var writer = RecordFieldWriter<Key>(encoder)
    for key in Key.allCases { try fields(key).encode(record, key, &writer) }
  }

  static func decode<Record, Key>(_ blank: Record, from decoder: any Decoder, fields: (Key) -> RecordField<Record, Key>) throws -> Record {
    let reader = try RecordFields<Key>(decoder)
    var record = blank
    for key in Key.allCases { try fields(key).decode(&record, key, reader) }
    return record
  }
}
