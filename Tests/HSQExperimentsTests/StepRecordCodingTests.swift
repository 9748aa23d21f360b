import Foundation
import HSQ
@testable import HSQExperiments
import Testing

/// Step records have one encoding with one set of names — checkpoints, `--json` and `export` — and
/// version-1 checkpoints (and the digests of recorded sessions) keep the Swift property names.
@Suite struct StepRecordCodingTests {
  /// The names version-1 checkpoints used (Swift's synthesized coding): written out, not derived, so the test
  /// catches a rename of a property too.
  static let version1StepNames = [
    "train_loss": "trainLoss", "test_loss": "testLoss", "test_accuracy": "testAccuracy", "bits_up": "bitsUp", "bits_down": "bitsDown",
    "cumulative_bits_up": "cumulativeBitsUp", "cumulative_bits_down": "cumulativeBitsDown", "gradient_norm": "gradientNorm",
    "distance_to_optimum": "distanceToOptimum", "compute_s": "computeSeconds", "compress_s": "compressSeconds",
    "test_examples": "testExamples", "wall_s": "wallSeconds", "cumulative_wall_s": "cumulativeWallSeconds",
    "round_s": "roundSeconds", "cumulative_round_s": "cumulativeRoundSeconds", "round_time_measured": "roundTimeMeasured",
  ]
  static let version1LayerNames = [
    "rho": "observedRho", "exact_rho": "exactRho", "bound_rho": "boundRho", "worst_case": "worstCase", "gradient_norm": "gradientNorm",
  ]

  static func experiment(steps: Int) throws -> Experiment {
    var c = SmallExperiment.config(compressor: "hsq:dim=8,k=32,codebook=gaussian,norm-bits=6", workers: 2, seed: 5)
    c.evalEvery = 2
    let e = try Experiment(c)
    _ = e.run(until: StopCondition(steps: steps))
    return e
  }

  /// A record as version 1 wrote it: synthesized names, missing optionals left out.
  static func version1(_ record: [String: Any]) -> [String: Any] {
    var out: [String: Any] = [:]
    for (key, value) in record where !(value is NSNull) {
      if key == "layers" {
        out[key] = (value as! [[String: Any]]).map { layer in
          Dictionary(uniqueKeysWithValues: layer.filter { !($0.value is NSNull) }.map { (version1LayerNames[$0.key] ?? $0.key, $0.value) })
        }
      } else {
        out[version1StepNames[key] ?? key] = value
      }
    }
    return out
  }

  @Test func checkpointsWriteTheCurrentNamesAndVersion2() throws {
    let fixture = try CheckpointFixture(try Self.experiment(steps: 3))
    #expect(fixture.tree["version"] as? Int == 2)
    let record = (fixture.tree["history"] as! [[String: Any]])[0]
    // In process nothing goes on a wire, and the record has no `wire`; the default strategy writes no `server`.
    #expect(Set(record.keys) == Set(StepRecord.CodingKeys.allCases.filter { $0 != .wire && $0 != .server }.map(\.stringValue)))
    #expect(record["test_loss"] is NSNull, "a step without evaluation has an explicit null")
    let layer = (record["layers"] as! [[String: Any]])[0]
    #expect(Set(layer.keys) == Set(LayerRecord.CodingKeys.allCases.map(\.stringValue)))
  }

  /// A transport backend's wire figures are part of the record's one encoding (`--json`, checkpoints), under
  /// the current names, and read back in both name sets; `export` leaves them out of its columns.
  @Test func wireFiguresAreEncodedAndReadBack() throws {
    var record = try #require(try Self.experiment(steps: 1).history.first)
    record.wire = WireRecord(bytesDown: 300, bytesUp: 700, payloadBytesUp: 20, diagnosticBytesUp: 340, processes: 2,
                             exchangeSeconds: 0.5, slowestWorkerSeconds: 0.25, serverSeconds: 0.125)
    let data = try JSONEncoder().encode(record)
    let tree = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let wire = try #require(tree["wire"] as? [String: Any], "\(tree)")
    #expect(Set(wire.keys) == ["bytes_down", "bytes_up", "payload_bytes_up", "diagnostic_bytes_up", "processes",
                               "exchange_s", "slowest_worker_s", "server_s"])
    #expect(wire["payload_bytes_up"] as? Int == 20)
    #expect(try JSONDecoder().decode(StepRecord.self, from: data) == record)
    for names in [RecordKeyNames.current, .version1] {
      let encoder = JSONEncoder(), decoder = JSONDecoder()
      encoder.userInfo[.recordKeyNames] = names
      decoder.userInfo[.recordKeyNames] = names
      #expect(try decoder.decode(StepRecord.self, from: encoder.encode(record)) == record)
    }
    #expect(!MetricsTable([record]).columns.contains("wire"))
  }

  @Test func aVersion1CheckpointLoadsAndResumesBitIdentically() throws {
    let straight = try Self.experiment(steps: 5)
    let fixture = try CheckpointFixture(try Self.experiment(steps: 3))
    let loaded = try fixture.load { tree in
      tree["version"] = 1
      tree["history"] = (tree["history"] as! [[String: Any]]).map(Self.version1)
    }.get()
    #expect(loaded.history.map(\.withoutTimings) == Array(straight.history.prefix(3)).map(\.withoutTimings))
    _ = loaded.run(until: StopCondition(steps: 2))
    #expect(loaded.history.map(\.withoutTimings) == straight.history.map(\.withoutTimings))
    #expect(loaded.parameters.map { $0.map(\.bitPattern) } == straight.parameters.map { $0.map(\.bitPattern) })
  }

  @Test func aVersion1CheckpointNamesItsFieldsAsItSpellsThem() throws {
    let fixture = try CheckpointFixture(try Self.experiment(steps: 1))
    let message = try fixture.loadError { tree in
      tree["version"] = 1
      var record = Self.version1((tree["history"] as! [[String: Any]])[0])
      record["bitsUp"] = Int.max
      tree["history"] = [record]
    }
    #expect(message?.contains("'history[0].bitsUp'") == true, "\(message ?? "accepted")")
  }

  @Test func anUnknownVersionIsRefusedWithTheVersionsThatLoad() throws {
    let message = try CheckpointFixture(try Self.experiment(steps: 1)).loadError { $0["version"] = 7 }
    #expect(message?.contains("checkpoint version 7 is not one this hsq reads (1...2)") == true, "\(message ?? "accepted")")
  }

  /// The digest of a recorded session is over the version-1 encoding: the same bytes Swift's synthesized
  /// `Codable` wrote, so recordings made before the rename still verify.
  @Test func theVersion1EncodingIsTheSynthesizedOne() throws {
    let e = try Self.experiment(steps: 3)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    let synthesized = try encoder.encode(e.history.map(V1Record.init))
    encoder.userInfo[.recordKeyNames] = RecordKeyNames.version1
    #expect(String(decoding: try encoder.encode(e.history), as: UTF8.self) == String(decoding: synthesized, as: UTF8.self))
  }

  @Test func exportColumnsAreTheEncodedNames() throws {
    let e = try Self.experiment(steps: 2)
    let table = MetricsTable(e.history)
    let scalar = StepRecord.CodingKeys.allCases.filter(\.isColumn).map(\.stringValue)
    #expect(!scalar.contains("layers") && !scalar.contains("wire"))
    #expect(Array(table.columns.prefix(scalar.count)) == scalar)
    let layer = e.history[0].layers[0].name
    #expect(table.columns.contains("\(layer).rho") && table.columns.contains("\(layer).exact_rho"))
    let r = e.history[1]
    let row = table.rows[1]
    #expect(row[table.columns.firstIndex(of: "train_loss")!] == r.trainLoss)
    #expect(row[table.columns.firstIndex(of: "test_accuracy")!] == r.testAccuracy)
    #expect(table.rows[0][table.columns.firstIndex(of: "test_accuracy")!] == nil)
    #expect(row[table.columns.firstIndex(of: "\(layer).rho")!] == r.layers[0].observedRho)
    #expect(row[table.columns.firstIndex(of: "cumulative_bits_up")!] == Double(r.cumulativeBitsUp))
  }
}

/// StepRecord as Swift synthesized its coding before the names changed.
private struct V1Record: Encodable {
  var step: Int, epoch: Double, lr: Double, trainLoss: Double, testLoss: Double?, testAccuracy: Double?, participants: Int
  var bitsUp: Int, bitsDown: Int, cumulativeBitsUp: Int, cumulativeBitsDown: Int, gradientNorm: Double, distanceToOptimum: Double?
  var layers: [V1Layer], computeSeconds: Double, compressSeconds: Double
  var testExamples: Int?, wallSeconds: Double?, cumulativeWallSeconds: Double?, roundSeconds: Double?
  var cumulativeRoundSeconds: Double?, roundTimeMeasured: Bool?

  init(_ r: StepRecord) {
    (testExamples, wallSeconds, cumulativeWallSeconds) = (r.testExamples, r.wallSeconds, r.cumulativeWallSeconds)
    (roundSeconds, cumulativeRoundSeconds, roundTimeMeasured) = (r.roundSeconds, r.cumulativeRoundSeconds, r.roundTimeMeasured)
    (step, epoch, lr, trainLoss, testLoss, testAccuracy, participants) = (r.step, r.epoch, r.lr, r.trainLoss, r.testLoss, r.testAccuracy, r.participants)
    (bitsUp, bitsDown, cumulativeBitsUp, cumulativeBitsDown) = (r.bitsUp, r.bitsDown, r.cumulativeBitsUp, r.cumulativeBitsDown)
    (gradientNorm, distanceToOptimum, computeSeconds, compressSeconds) = (r.gradientNorm!, r.distanceToOptimum, r.computeSeconds, r.compressSeconds)
    layers = r.layers.map(V1Layer.init)
  }
}

private struct V1Layer: Encodable {
  var name: String, compressed: Bool, count: Int, bits: Int, observedRho: Double, exactRho: Double?, boundRho: Double?
  var worstCase: Double?, guarantee: String, gradientNorm: Double

  init(_ l: LayerRecord) {
    (name, compressed, count, bits, observedRho) = (l.name, l.compressed, l.count, l.bits, l.observedRho)
    (exactRho, boundRho, worstCase, guarantee, gradientNorm) = (l.exactRho, l.boundRho, l.worstCase, l.guarantee, l.gradientNorm!)
  }
}
