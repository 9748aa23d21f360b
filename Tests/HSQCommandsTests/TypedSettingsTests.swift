import Foundation
import HSQ
@testable import HSQCommands
import Testing

/// Settings, plot metrics and axes are parsed once, into enums, with one message for a wrong name; step
/// records have one set of names in every output; every error type renders through one protocol.
@Suite struct TypedSettingsTests {
  @Test func aWrongChoiceNamesTheChoicesAndTheClosest() {
    let s = SessionTests.session()
    #expect(s.execute("set protocol locl").error == "Parameter 'protocol' of 'experiment': 'locl' is not one of gradient, local. Did you mean 'local'?")
    #expect(s.execute("set ef-scale warm").error == "Parameter 'ef-scale' of 'experiment': 'warm' is neither a number in [0, 1] nor warmup.")
    _ = s.execute("step")
    #expect(s.execute("plot loss --x epch").error == "'epch' is not an axis for '--x'. Did you mean 'epoch'? Use step, epoch, bits or time.")
    #expect(s.execute("plot loss --x qqqqqq").error == "'qqqqqq' is not an axis for '--x'; use step, epoch, bits or time.")
    #expect(s.execute("plot lss").error?.contains("'lss' is not a metric. Did you mean 'loss'? Use loss, test-loss, accuracy,") == true)
  }

  @Test func settingsShowAndStoreTheSameSpellings() throws {
    let s = SessionTests.session()
    #expect(!s.execute("set ef-scale 0.25").isError)
    #expect(!s.execute("set protocol local").isError)
    let config = try s.experiment().config
    #expect(config.efScale == .constant(0.25) && config.protocolName == .local)
    #expect(try ExperimentConfig.field("ef-scale").value(in: config) == "0.25")
    #expect(try ExperimentConfig.field("protocol").value(in: config) == "local")
    let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
    #expect(json.contains("\"efScale\":\"0.25\"") && json.contains("\"protocolName\":\"local\""), "checkpoint spellings: \(json)")
  }

  @Test func stepJSONUsesTheRecordsEncodedNames() throws {
    let s = SessionTests.session()
    let out = s.execute("step 2")
    guard case let .object(pairs) = out.json, case let .array(records)? = pairs.first(where: { $0.0 == "records" })?.1,
          case let .object(fields)? = records.first else {
      Issue.record("no records in \(out.json.rendered)")
      return
    }
    // An in-process step has no wire figures (only a transport backend writes `wire`), and the default
    // strategy (mean + sgd) no server-state figures (only another aggregator or server optimizer writes `server`).
    #expect(fields.map(\.0) == StepRecord.CodingKeys.allCases.filter { $0 != .wire && $0 != .server }.map(\.stringValue))
    guard case let .array(layers)? = fields.first(where: { $0.0 == "layers" })?.1, case let .object(layer)? = layers.first else {
      Issue.record("no layers")
      return
    }
    #expect(layer.map(\.0) == LayerRecord.CodingKeys.allCases.map(\.stringValue))
    let record = try s.experiment().history[0]
    #expect(fields.first { $0.0 == "train_loss" }?.1 == .number(record.trainLoss))
    #expect(fields.first { $0.0 == "test_accuracy" }?.1 == .null)
    #expect(layer.first { $0.0 == "compressed" }?.1 == .bool(true))
  }

  @Test func everyErrorTypeRendersThroughOneProtocol() {
    let errors: [any Error] = [
      HSQError.missing(thing: "experiment yet", plural: false, fix: "create one"),
      ExperimentStop.diverged("worker 0's loss is nan"),
    ]
    #expect(errors.map(userFacingMessage(for:)) == ["There is no experiment yet; create one.", "worker 0's loss is nan"])
    #expect(errors.allSatisfy { $0 is any UserFacingError })
  }
}
