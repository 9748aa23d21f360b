import Foundation
import HSQ
import HSQCore
import Testing

@testable import HSQExperiments

/// The threads backend against the loopback backend, which sends every command and answer through the
/// byte encoding to a worker host that built its own environment from the config: the records, the
/// parameters and the memories must agree bit for bit.
@Suite struct WorkerBackendTests {
  /// The issue's three configurations: hsq + EF, qsgd with participation 0.5, topk + EF with local steps 2.
  static func config(_ name: String) -> ExperimentConfig {
    var c = SmallExperiment.config(workers: 4, seed: 5)
    c.threads = 2
    c.evalEvery = 3
    switch name {
    case "hsq+ef":
      c.compressor = "hsq:dim=8,k=32,codebook=gaussian,norm-bits=6"
      c.errorFeedback = true
      c.efScale = .warmup
    case "qsgd participation 0.5":
      c.compressor = "qsgd:levels=4"
      c.participation = 0.5
    case "topk+ef local 2":
      c.compressor = "topk:k=16"
      c.errorFeedback = true
      c.protocolName = .local
      c.localSteps = 2
      c.momentum = 0.9
    case "identity":
      c.compressor = "identity"
    default:
      preconditionFailure("no configuration '\(name)'")
    }
    return c
  }

  static func bits(_ x: [[Float]]) -> [[UInt32]] { x.map { $0.map(\.bitPattern) } }
  static func bits(_ x: [[[Float]]]) -> [[[UInt32]]] { x.map(bits) }

  @Test(arguments: ["hsq+ef", "qsgd participation 0.5", "topk+ef local 2"])
  func loopbackGivesTheThreadsRecordsBitForBit(configuration: String) throws {
    let c = Self.config(configuration)
    let threads = try Experiment(c)
    let loopback = try Experiment(c, backend: LoopbackWorkerBackend())
    let a = threads.run(until: StopCondition(steps: 7)), b = loopback.run(until: StopCondition(steps: 7))
    #expect(a.reason == .steps && b.reason == .steps, "\(a.reason) / \(b.reason)")
    #expect(threads.history.map(\.withoutTimings) == loopback.history.map(\.withoutTimings))
    #expect(Self.bits(threads.parameters) == Self.bits(loopback.parameters))
    #expect(Self.bits(try threads.memories) == Self.bits(try loopback.memories))
    #expect(Self.bits(try threads.lastInputs) == Self.bits(try loopback.lastInputs))
    let sent = (loopback.backend as! LoopbackWorkerBackend).bytesReceived
    #expect(sent > threads.history.reduce(0) { $0 + $1.bitsUp } / 8, "the payloads crossed as bytes")
  }

  @Test func aLoopbackCheckpointContinuesInTheThreadsBackendAndBack() throws {
    let c = Self.config("hsq+ef")
    let straight = try Experiment(c)
    _ = straight.run(until: StopCondition(steps: 6))
    let first = try Experiment(c, backend: LoopbackWorkerBackend())
    _ = first.run(until: StopCondition(steps: 3))
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-loopback-\(UUID()).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try first.save(to: path)
    let resumed = try Experiment.load(from: path)
    _ = resumed.run(until: StopCondition(steps: 2))
    // Moving the workers to another backend carries their memories over.
    try resumed.use(LoopbackWorkerBackend())
    _ = resumed.run(until: StopCondition(steps: 1))
    #expect(resumed.history.map(\.withoutTimings) == straight.history.map(\.withoutTimings))
    #expect(Self.bits(resumed.parameters) == Self.bits(straight.parameters))
    #expect(Self.bits(try resumed.memories) == Self.bits(try straight.memories))
  }

  /// A divergence rolls the workers' memories back to the undo point in both backends alike.
  @Test func aDivergenceRollsBackTheSameWayThroughTheLoopback() throws {
    var c = Self.config("hsq+ef")
    c.lr = 3
    c.momentum = 0.99
    let threads = try Experiment(c)
    let loopback = try Experiment(c, backend: LoopbackWorkerBackend())
    let a = threads.run(until: StopCondition(steps: 100)), b = loopback.run(until: StopCondition(steps: 100))
    guard case let .diverged(message) = a.reason else {
      Issue.record("expected a divergence, got \(a.reason)")
      return
    }
    #expect(b.reason == a.reason, "\(message)")
    #expect(threads.stepCount == loopback.stepCount && threads.events == loopback.events)
    #expect(Self.bits(try threads.memories) == Self.bits(try loopback.memories))
    try threads.set("lr", to: "0.001")
    try loopback.set("lr", to: "0.001")
    _ = threads.run(until: StopCondition(steps: 3))
    _ = loopback.run(until: StopCondition(steps: 3))
    #expect(threads.history.map(\.withoutTimings) == loopback.history.map(\.withoutTimings))
    #expect(Self.bits(threads.parameters) == Self.bits(loopback.parameters))
  }

  /// Hosts serving the workers round-robin answer, together, what one host serving all answers.
  @Test func roundRobinHostsTogetherAnswerAsOneHost() throws {
    let c = Self.config("topk+ef local 2")
    let environment = try WorkerEnvironment(config: c)
    let all = WorkerHost()
    all.configure(environment)
    let parts = (0..<3).map { WorkerHost(placement: .roundRobin(index: $0, count: 3), threads: 1) }
    for host in parts { host.configure(environment) }
    let e = try Experiment(c)
    for step in 0..<3 {
      let request = RoundRequest(step: step, participants: [3, 0, 2], parameters: e.parameters, lr: 0.05, efScale: 1, sendsRaw: true)
      let one = try all.run(request).map(Self.withoutTimings)
      let split = try parts.flatMap { try $0.run(request) }.map(Self.withoutTimings)
      #expect(one == request.participants.map { w in split.first { $0.worker == w }! }, "step \(step)")
      all.commit(keepingUndoPoint: false)
      for host in parts { host.commit(keepingUndoPoint: false) }
    }
    #expect(all.memories() == parts.flatMap { $0.memories() }.sorted { $0.worker < $1.worker })
  }

  /// A host that serves every participant of a round answers it over the wire with the squared norms,
  /// per layer, of the mean of the participants' raw gradients (summed as the server sums them, measured
  /// as the server measures them) instead of one raw frame per worker: 8 bytes a layer; the records stay
  /// those of the threads backend bit for bit, past the server's groups of ``Experiment/sourcesPerPass``
  /// workers too.
  @Test(arguments: [4, 40])
  func aHostServingTheWholeRoundSendsTheNormsOfTheMeanRawGradient(workers: Int) throws {
    var c = Self.config("hsq+ef")
    c.workers = workers
    let environment = try WorkerEnvironment(config: c)
    let typed = WorkerHost(), wired = WorkerHost()
    typed.configure(environment)
    wired.configure(environment)
    let e = try Experiment(c)
    let request = RoundRequest(step: 0, participants: Array((0..<workers).reversed()), parameters: e.parameters, lr: 0.05, efScale: 1, sendsRaw: true)
    let raws = try typed.run(request).map { try #require($0.raw) }
    guard case let .replies(replies) = try WorkerResponse(decoding: wired.handle(WorkerCommand.round(request).encoded())) else {
      Issue.record("the host did not answer with replies")
      return
    }
    #expect(replies.allSatisfy { $0.raw == nil })
    #expect(replies.dropFirst().allSatisfy { $0.rawMeanNormsSquared == nil })
    // The mean is the server pass's raw mean, element for element, and the norms are those of it.
    let (_, rawMean) = e.serverPass(messages: raws, raw: raws, layers: raws[0].count, update: false)
    #expect(Self.bits(rawMean) == Self.bits(Experiment.workerMean(raws)))
    let norms = try #require(replies.first?.rawMeanNormsSquared)
    #expect(norms.map(\.bitPattern) == rawMean.map { Vec.squaredNorm($0).bitPattern })
    #expect(replies[0].diagnosticByteCount == 8 * e.parameters.count)
    let threads = try Experiment(c), loopback = try Experiment(c, backend: LoopbackWorkerBackend())
    _ = threads.run(until: StopCondition(steps: 3))
    _ = loopback.run(until: StopCondition(steps: 3))
    #expect(threads.history.map(\.withoutTimings) == loopback.history.map(\.withoutTimings))
  }

  /// Hosts that each serve part of a round keep sending every participant's raw frame (a mean of a part
  /// would not sum in the server's order).
  @Test func hostsServingPartOfARoundSendEachRawFrame() throws {
    let c = Self.config("hsq+ef")
    let environment = try WorkerEnvironment(config: c)
    let host = WorkerHost(placement: .roundRobin(index: 0, count: 2))
    host.configure(environment)
    let e = try Experiment(c)
    let request = RoundRequest(step: 0, participants: [0, 1, 2, 3], parameters: e.parameters, lr: 0.05, efScale: 1, sendsRaw: true)
    guard case let .replies(replies) = try WorkerResponse(decoding: host.handle(WorkerCommand.round(request).encoded())) else {
      Issue.record("the host did not answer with replies")
      return
    }
    #expect(replies.map(\.worker) == [0, 2])
    #expect(replies.allSatisfy { $0.raw != nil && $0.rawMeanNormsSquared == nil })
  }

  /// The server's messages for the replies, written out as vectors.
  static func decoded(_ e: Experiment, _ replies: [WorkerReply], participants: [Int], raw: Bool) throws -> [[[Float]]] {
    try e.layerMessages(replies, participants: participants, raw: raw, rows: false).map { $0.map { $0.values() } }
  }

  static func withoutTimings(_ reply: WorkerReply) -> WorkerReply {
    var copy = reply
    copy.computeSeconds = 0
    copy.compressSeconds = 0
    return copy
  }

  /// What a worker decoded for itself (vectors, or HSQ's codeword rows), which the server uses in process, is what
  /// the server's own decoding of the payload bytes gives, bit for bit (uncompressed layers included).
  @Test(arguments: ["hsq+ef", "qsgd participation 0.5", "topk+ef local 2", "identity"])
  func theServerDecodesThePayloadsToWhatTheWorkersDecoded(configuration: String) throws {
    let e = try Experiment(Self.config(configuration))
    let participants = Array(0..<e.config.workers)
    for step in 0..<2 {
      let request = RoundRequest(step: step, participants: participants, parameters: e.parameters, lr: 0.05, efScale: 1, sendsRaw: true)
      let replies = try e.backend.run(request)
      #expect(replies.allSatisfy { $0.decoded != nil })
      // HSQ's payloads stay codeword rows in process: the worker's error and memory were read from them.
      #expect(replies.allSatisfy { $0.decoded!.contains { $0.rows != nil } } == configuration.hasPrefix("hsq"))
      let stripped = replies.map { reply in
        var copy = reply
        copy.decoded = nil
        return copy
      }
      let inProcess = try Self.decoded(e, replies, participants: participants, raw: true)
      let decoded = try Self.decoded(e, stripped, participants: participants, raw: true)
      #expect(Self.bits(inProcess) == Self.bits(decoded), "step \(step)")
      try e.backend.commit(keepingUndoPoint: false)
    }
  }

  /// The server decodes what the workers sent; a reply from the wrong worker or with the wrong layers is refused by name.
  @Test func theServerRefusesRepliesThatDoNotFitTheRound() throws {
    let e = try Experiment(Self.config("qsgd participation 0.5"))
    let request = RoundRequest(step: 0, participants: [1, 2], parameters: e.parameters, lr: 0.05, efScale: 1, sendsRaw: true)
    var replies = try e.backend.run(request)
    try e.backend.discard()
    #expect(try Self.decoded(e, replies, participants: [1, 2], raw: true).count == 2)
    #expect(throws: HSQError.self) { try Self.decoded(e, replies, participants: [2, 1], raw: true) }
    replies[1].payloads.removeLast()
    let error = #expect(throws: HSQError.self) { try Self.decoded(e, replies, participants: [1, 2], raw: true) }
    #expect("\(error!)".contains("Worker 2's reply"), "\(error!)")
  }
}
