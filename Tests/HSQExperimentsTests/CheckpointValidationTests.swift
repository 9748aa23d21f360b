import Foundation
import HSQ
@testable import HSQExperiments
import Testing

/// A doctored checkpoint is refused at `load` with one line naming the field; nothing it holds can trap a later step.
@Suite struct CheckpointValidationTests {
  /// The issue's experiment: softmax on an 8-feature mixture, 2 workers, momentum, one step.
  static func saved(_ settings: (inout ExperimentConfig) -> Void = { _ in }) throws -> CheckpointFixture {
    var c = ExperimentConfig()
    c.model = "softmax"
    c.dataset = "gaussian-mixture:d=8,n=256,n-test=64"
    c.workers = 2
    c.momentum = 0.9
    settings(&c)
    let e = try Experiment(c)
    try e.step()
    return try CheckpointFixture(e)
  }

  static func expectRefused(_ message: String?, naming field: String, _ fragment: String = "") {
    #expect(message != nil, "'\(field)' was accepted")
    guard let message else { return }
    #expect(message.contains("'\(field)'"), "\(message)")
    #expect(fragment.isEmpty || message.contains(fragment), "\(message)")
    #expect(!message.contains("\n"), "one line: \(message)")
  }

  @Test func shortVelocityLayerIsRefused() throws {
    let message = try Self.saved().loadError { $0["velocity"] = [CheckpointFixture.bytes(12), ($0["velocity"] as! [Any])[1]] }
    Self.expectRefused(message, naming: "velocity[0]", "has 3 values; layer 'linear.weight' needs 80")
  }

  @Test func missingVelocityIsRefused() throws {
    Self.expectRefused(try Self.saved().loadError { $0["velocity"] = [Any]() }, naming: "velocity", "2 layers")
  }

  @Test func shortErrorFeedbackMemoryIsRefused() throws {
    let fixture = try Self.saved { $0.errorFeedback = true }
    let message = try fixture.loadError { tree in
      var memories = tree["memories"] as! [[Any]]
      memories[0][0] = CheckpointFixture.bytes(8)
      tree["memories"] = memories
    }
    Self.expectRefused(message, naming: "memories[0][0]", "has 2 values")
  }

  @Test func memoriesForTheWrongNumberOfWorkersAreRefused() throws {
    let fixture = try Self.saved { $0.errorFeedback = true }
    let message = try fixture.loadError { tree in tree["memories"] = [(tree["memories"] as! [Any])[0]] }
    Self.expectRefused(message, naming: "memories", "1 worker")
  }

  @Test func shortServerMemoryIsRefused() throws {
    let fixture = try Self.saved {
      $0.errorFeedback = true
      $0.downlink = "topk:k=4"
      $0.compressThreshold = 10
    }
    #expect((fixture.tree["serverMemory"] as! [Any]).count == 2, "the fixture has a server memory")
    let message = try fixture.loadError { tree in
      var memory = tree["serverMemory"] as! [Any]
      memory[0] = CheckpointFixture.bytes(4)
      tree["serverMemory"] = memory
    }
    Self.expectRefused(message, naming: "serverMemory[0]", "has 1 value")
  }

  @Test(arguments: ["stepCount", "examplesSeen", "cumulativeBitsUp", "cumulativeBitsDown"])
  func countersOutOfRangeAreRefused(field: String) throws {
    let fixture = try Self.saved()
    for value in [Int.max, -1] {
      Self.expectRefused(try fixture.loadError { $0[field] = value }, naming: field)
    }
  }

  @Test(arguments: [("batch", 0), ("participation", 0), ("threads", -3), ("workers", 0), ("local-steps", -1)])
  func configOutOfTheExperimentCommandsRangesIsRefused(field: String, value: Int) throws {
    let key = ["local-steps": "localSteps"][field] ?? field
    let message = try Self.saved().loadError { $0[path: "config.\(key)"] = value }
    Self.expectRefused(message, naming: "config.\(key)", "give a value in")
  }

  @Test func historyThatDisagreesWithTheCountersIsRefused() throws {
    let fixture = try Self.saved()
    let records = fixture.tree["history"] as! [[String: Any]]
    var record = records[0]
    record["participants"] = Int.max
    Self.expectRefused(try fixture.loadError { $0["history"] = [record] }, naming: "history[0].participants")
    record = records[0]
    record["bits_up"] = Int.max
    Self.expectRefused(try fixture.loadError { $0["history"] = [record] }, naming: "history[0].bits_up")
  }

  @Test func aTypeErrorNamesTheField() throws {
    let message = try Self.saved().loadError { $0[path: "config.batch"] = "many" }
    Self.expectRefused(message, naming: "config.batch")
  }

  @Test func countersThatWouldOverflowStopTheStepWithAClearError() throws {
    var c = ExperimentConfig()
    c.model = "softmax"
    c.dataset = "gaussian-mixture:d=8,n=256,n-test=64"
    c.workers = 2
    let e = try Experiment(c)
    try e.step()
    e.cumulativeBitsUp = Int.max - 1
    let before = e.parameters
    #expect(throws: HSQError.self) { try e.step() }
    #expect(e.stepCount == 1 && e.parameters == before, "the step is not applied")
    e.cumulativeBitsUp = 0
    e.stepCount = Int.max
    #expect(throws: HSQError.self) { try e.step() }
  }

  /// A checkpoint may name any file as its dataset; an error about that file must not print its contents.
  @Test func aBadDatasetFileIsNotEchoedAtLength() throws {
    let secret = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-secret-\(UUID()).env").path
    try "AWS_SECRET=abcd1234xyz,1\nAWS_REGION=somewhere,2\n".write(toFile: secret, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: secret) }
    let message = try Self.saved().loadError { $0[path: "config.dataset"] = "csv:path=\(secret),header=false" }
    #expect(message != nil)
    #expect(message?.contains("abcd1234xyz") == false, "\(message ?? "")")
    #expect(message?.contains("config.dataset") == true, "\(message ?? "")")
  }

  @Test func anUntouchedCheckpointStillLoads() throws {
    let fixture = try Self.saved {
      $0.errorFeedback = true
      $0.downlink = "topk:k=4"
      $0.compressThreshold = 10
    }
    let e = try fixture.load { _ in }.get()
    try e.step()
    #expect(e.stepCount == 2)
  }
}
