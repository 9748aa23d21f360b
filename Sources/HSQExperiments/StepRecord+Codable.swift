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

    public var version1Name: String {
      switch self {
      case .testExamples: return "testExamples"
      case .wallSeconds: return "wallSeconds"
      case .cumulativeWallSeconds: return "cumulativeWallSeconds"
      case .roundSeconds: return "roundSeconds"
      case .cumulativeRoundSeconds: return "cumulativeRoundSeconds"
      case .roundTimeMeasured: return "roundTimeMeasured"
      case .trainLoss: return "trainLoss"
      case .testLoss: return "testLoss"
      case .testAccuracy: return "testAccuracy"
      case .bitsUp: return "bitsUp"
      case .bitsDown: return "bitsDown"
      case .cumulativeBitsUp: return "cumulativeBitsUp"
      case .cumulativeBitsDown: return "cumulativeBitsDown"
      case .gradientNorm: return "gradientNorm"
      case .distanceToOptimum: return "distanceToOptimum"
      case .computeSeconds: return "computeSeconds"
      case .compressSeconds: return "compressSeconds"
      case .step, .epoch, .lr, .participants, .layers, .wire: return rawValue
      }
    }

    /// Whether the field is a number column of its own in `export` (not the nested layers or wire figures).
    public var isColumn: Bool { self != .layers && self != .wire }
  }

  public init(from decoder: any Decoder) throws {
    let c = try RecordFields<CodingKeys>(decoder)
    self.init(
      step: try c.decode(.step), epoch: try c.decode(.epoch), lr: try c.decode(.lr), trainLoss: try c.decode(.trainLoss),
      testLoss: try c.decodeIfPresent(.testLoss), testAccuracy: try c.decodeIfPresent(.testAccuracy),
      testExamples: try c.decodeIfPresent(.testExamples),
      participants: try c.decode(.participants), bitsUp: try c.decode(.bitsUp), bitsDown: try c.decode(.bitsDown),
      cumulativeBitsUp: try c.decode(.cumulativeBitsUp), cumulativeBitsDown: try c.decode(.cumulativeBitsDown),
      gradientNorm: try c.decode(.gradientNorm), distanceToOptimum: try c.decodeIfPresent(.distanceToOptimum),
      layers: try c.decode(.layers), computeSeconds: try c.decode(.computeSeconds), compressSeconds: try c.decode(.compressSeconds),
      wallSeconds: try c.decodeIfPresent(.wallSeconds), cumulativeWallSeconds: try c.decodeIfPresent(.cumulativeWallSeconds),
      roundSeconds: try c.decodeIfPresent(.roundSeconds), cumulativeRoundSeconds: try c.decodeIfPresent(.cumulativeRoundSeconds),
      roundTimeMeasured: try c.decodeIfPresent(.roundTimeMeasured),
      wire: try c.decodeIfPresent(.wire))
  }

  public func encode(to encoder: any Encoder) throws {
    var c = RecordFieldWriter<CodingKeys>(encoder)
    try c.encode(step, .step)
    try c.encode(epoch, .epoch)
    try c.encode(lr, .lr)
    try c.encode(trainLoss, .trainLoss)
    try c.encodeOptional(testLoss, .testLoss)
    try c.encodeOptional(testAccuracy, .testAccuracy)
    try c.encodeOptional(testExamples, .testExamples)
    try c.encode(participants, .participants)
    try c.encode(bitsUp, .bitsUp)
    try c.encode(bitsDown, .bitsDown)
    try c.encode(cumulativeBitsUp, .cumulativeBitsUp)
    try c.encode(cumulativeBitsDown, .cumulativeBitsDown)
    try c.encode(gradientNorm, .gradientNorm)
    try c.encodeOptional(distanceToOptimum, .distanceToOptimum)
    try c.encode(layers, .layers)
    try c.encode(computeSeconds, .computeSeconds)
    try c.encode(compressSeconds, .compressSeconds)
    try c.encodeOptional(wallSeconds, .wallSeconds)
    try c.encodeOptional(cumulativeWallSeconds, .cumulativeWallSeconds)
    try c.encodeOptional(roundSeconds, .roundSeconds)
    try c.encodeOptional(cumulativeRoundSeconds, .cumulativeRoundSeconds)
    try c.encodeOptional(roundTimeMeasured, .roundTimeMeasured)
    // In process there is no wire, and the records keep the fields they always had.
    if let wire { try c.encode(wire, .wire) }
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

    public var version1Name: String {
      switch self {
      case .observedRho: return "observedRho"
      case .exactRho: return "exactRho"
      case .boundRho: return "boundRho"
      case .worstCase: return "worstCase"
      case .gradientNorm: return "gradientNorm"
      case .name, .compressed, .count, .bits, .guarantee: return rawValue
      }
    }

    /// Whether the field names the layer rather than measures it (not a column of its own in `export`).
    public var isIdentity: Bool { [.name, .compressed, .count, .guarantee].contains(self) }
  }

  public init(from decoder: any Decoder) throws {
    let c = try RecordFields<CodingKeys>(decoder)
    self.init(
      name: try c.decode(.name), compressed: try c.decode(.compressed), count: try c.decode(.count), bits: try c.decode(.bits),
      observedRho: try c.decode(.observedRho), exactRho: try c.decodeIfPresent(.exactRho), boundRho: try c.decodeIfPresent(.boundRho),
      worstCase: try c.decodeIfPresent(.worstCase), guarantee: try c.decode(.guarantee), gradientNorm: try c.decode(.gradientNorm))
  }

  public func encode(to encoder: any Encoder) throws {
    var c = RecordFieldWriter<CodingKeys>(encoder)
    try c.encode(name, .name)
    try c.encode(compressed, .compressed)
    try c.encode(count, .count)
    try c.encode(bits, .bits)
    try c.encode(observedRho, .observedRho)
    try c.encodeOptional(exactRho, .exactRho)
    try c.encodeOptional(boundRho, .boundRho)
    try c.encodeOptional(worstCase, .worstCase)
    try c.encode(guarantee, .guarantee)
    try c.encode(gradientNorm, .gradientNorm)
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
