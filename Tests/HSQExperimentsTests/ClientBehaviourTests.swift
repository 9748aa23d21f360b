import Foundation
import HSQ
import Testing

@testable import HSQExperiments

/// FedProx's proximal term and the Byzantine scenario (``ClientBehaviour``): against hand computations, the settings'
/// rules, and bit-identity across thread counts, backends and checkpoints.
@Suite struct ClientBehaviourTests {
  /// Least squares on 2 features, one worker, E local steps of batch 4 at lr 0.1, the identity uplink.
  static func leastSquares(mu: Double, localSteps: Int = 2) -> ExperimentConfig {
    var c = ExperimentConfig()
    c.dataset = "linear:d=2,n=8,n-test=4,condition=4"
    c.model = "least-squares"
    c.workers = 1
    c.batch = 4
    c.lr = 0.1
    c.protocolName = .local
    c.localSteps = localSteps
    c.proxMu = mu == 0 ? nil : mu
    c.threads = 1
    c.seed = 3
    return c
  }

  /// E local steps by hand in Double: g = (1/B) Σ rᵢ(aᵢ, 1), rᵢ = aᵢ·w + b − yᵢ; x ← x − η(g + μ(x − x₀)).
  static func handLocalSteps(_ e: Experiment, mu: Double) -> [Double] {
    let c = e.config, train = e.dataset.train, d = train.featureCount
    let x0 = (e.parameters[0] + e.parameters[1]).map(Double.init)
    var x = x0
    for step in 0..<c.localSteps {
      let batch = WorkerState.batch(from: train, shard: e.shards[0], config: c, worker: 0, step: 0, localStep: step)
      var g = [Double](repeating: 0, count: d + 1)
      for i in 0..<batch.count {
        let a = (0..<d).map { Double(batch.features[i * d + $0]) }
        let r = zip(a, x).reduce(x[d]) { $0 + $1.0 * $1.1 } - Double(batch.targets[i])
        for j in 0..<d { g[j] += r * a[j] / Double(batch.count) }
        g[d] += r / Double(batch.count)
      }
      x = (0...d).map { x[$0] - c.lr * (g[$0] + mu * (x[$0] - x0[$0])) }
    }
    return x
  }

  static func bits(_ x: [[Float]]) -> [[UInt32]] { x.map { $0.map(\.bitPattern) } }
  static func bits(_ x: [[[Float]]]) -> [[[UInt32]]] { x.map(bits) }

  /// The Float32 engine within rounding of the hand computation in Double: each entry passes through at most 64
  /// roundings of relative size 2⁻²⁴ on values no larger than `scale`, so it is within 64·2⁻²⁴·scale.
  @Test func aProximalLocalStepMatchesTheHandComputationOnLeastSquares() throws {
    let e = try Experiment(Self.leastSquares(mu: 0.5))
    let expected = Self.handLocalSteps(e, mu: 0.5)
    let plain = Self.handLocalSteps(e, mu: 0)
    try e.step()
    let got = (e.parameters[0] + e.parameters[1]).map(Double.init)
    let scale = max(1, expected.map(abs).max()!)
    let tolerance = 64 * 0x1p-24 * scale
    for (i, (g, x)) in zip(got, expected).enumerated() {
      #expect(abs(g - x) <= tolerance, "entry \(i): engine \(g), hand \(x)")
    }
    // The term is seen: μ = 0.5 moves the second local step by far more than the rounding.
    let moved = zip(expected, plain).map { abs($0 - $1) }.max()!
    #expect(moved > 100 * tolerance, "μ moves the result by \(moved)")
  }

  /// The proximal gradient μ(x − x_g) is 0 where every round starts, so with one local step μ changes no bit.
  @Test func theProximalTermIsZeroInTheFirstLocalStep() throws {
    let a = try Experiment(Self.leastSquares(mu: 0, localSteps: 1)), b = try Experiment(Self.leastSquares(mu: 0.5, localSteps: 1))
    _ = a.run(until: StopCondition(steps: 4))
    _ = b.run(until: StopCondition(steps: 4))
    #expect(a.history.map(\.withoutTimings) == b.history.map(\.withoutTimings))
    #expect(Self.bits(a.parameters) == Self.bits(b.parameters))
  }

  /// `prox-mu=0` and `byzantine=0` are stored as absent: the config encodes as before and the records do not move.
  @Test func zeroSettingsLeaveConfigsAndRecordsAsTheyWere() throws {
    var c = SmallExperiment.config(compressor: "topk:k=16", workers: 3, seed: 4)
    c.protocolName = .local
    c.localSteps = 3
    c.errorFeedback = true
    let plain = try Experiment(c)
    let set = try Experiment(c)
    try set.set("prox-mu", to: "0")
    try set.set("byzantine", to: "0")
    try set.set("byzantine-scale", to: "-10")
    #expect(set.config == c)
    #expect(WorkerCommand.json(set.config) == WorkerCommand.json(c))
    #expect(!WorkerCommand.json(c).contains("prox") && !WorkerCommand.json(c).contains("byzantine"))
    // Listings (recorded lines, exports) leave the settings out at their defaults, and name them once set.
    let mine: Set = ["prox-mu", "byzantine", "byzantine-scale"]
    #expect(ExperimentConfig.listedFields(for: [c]).filter { mine.contains($0.name) }.isEmpty)
    var attacked = c
    attacked.byzantine = 1
    #expect(ExperimentConfig.listedFields(for: [c, attacked]).map(\.name).filter(mine.contains) == ["byzantine"])
    _ = plain.run(until: StopCondition(steps: 5))
    _ = set.run(until: StopCondition(steps: 5))
    #expect(plain.history.map(\.withoutTimings) == set.history.map(\.withoutTimings))
    #expect(Self.bits(plain.parameters) == Self.bits(set.parameters))
  }

  @Test func proxMuNeedsLocalSteps() throws {
    var c = SmallExperiment.config(workers: 2, seed: 1)
    c.proxMu = 0.01
    #expect {
      try Experiment(c)
    } throws: { error in
      "\(error)" == "Setting 'prox-mu' needs local steps (protocol=local) but protocol is 'gradient'; set protocol=local, or prox-mu=0 "
        + "(a worker of the gradient protocol evaluates one gradient at the global model, where the proximal term's gradient μ(x − x_g) is 0)."
    }
    c.protocolName = .local
    let e = try Experiment(c)
    #expect(throws: HSQError.self) { try e.set("protocol", to: "gradient") }
    #expect(e.config.protocolName == .local, "a refused change leaves the config")
  }

  @Test func byzantineCountsAtMostTheWorkers() throws {
    var c = SmallExperiment.config(workers: 3, seed: 1)
    c.byzantine = 4
    #expect {
      try Experiment(c)
    } throws: { error in
      "\(error)" == "Setting 'byzantine' counts workers 0 ..< n, at most 'workers'; got byzantine=4 with workers=3. Lower 'byzantine' or raise 'workers'."
    }
    c.byzantine = 3
    _ = try Experiment(c)
    #expect(throws: HSQError.self) { try ExperimentConfig.field("byzantine-scale").assign("nan", in: &c) }
  }

  /// A Byzantine worker's payload is the compressor's own encoding of b·g, drawn from the worker's stream:
  /// what an honest worker would send for b·g, byte for byte. The honest worker's payload is unchanged.
  @Test(arguments: ["identity", "hsq:dim=8,k=32,codebook=gaussian,norm-bits=6", "topk:k=16"])
  func aByzantineWorkerSendsAValidEncodingOfItsScaledGradient(compressor: String) throws {
    var c = SmallExperiment.config(compressor: compressor, workers: 2, seed: 9)
    c.byzantine = 1
    c.byzantineScale = -10
    let environment = try WorkerEnvironment(config: c)
    let host = WorkerHost(threads: 1)
    host.configure(environment)
    var rng = RandomStream.derived(from: c.seed, purpose: "model-init")
    let x = environment.model.initialParameters(rng: &rng)
    let request = RoundRequest(step: 2, participants: [0, 1], parameters: x, lr: c.lr, efScale: 1, sendsRaw: true)
    let replies = try host.run(request)
    for (w, reply) in replies.enumerated() {
      let batch = WorkerState.batch(from: environment.train, shard: environment.shards[w], config: c, worker: w, step: 2, localStep: 0)
      var g = environment.model.zeroParameters()
      let loss = try environment.model.lossAndGradient(parameters: x, batch: batch, into: &g, workspace: Workspace())
      #expect(reply.loss == loss, "worker \(w) reports its honest loss")
      if w == 0 { for l in g.indices { Vec.scale(&g[l], by: -10) } }
      let sameFrame = reply.raw.map(Self.bits) == Self.bits(g)
      #expect(sameFrame, "worker \(w)'s diagnostics frame")
      for l in g.indices {
        let expected: Payload
        if environment.compressLayer[l] {
          var stream = RandomStream.derived(from: c.seed, purpose: "compress", 2, w, l)
          expected = try environment.uplink.encode(g[l], rng: &stream)
        } else {
          expected = Payload(float32: g[l])
        }
        let samePayload = reply.payloads[l] == expected
        #expect(samePayload, "worker \(w), layer \(l): \(reply.payloads[l].bitCount) bits, expected \(expected.bitCount)")
      }
    }
  }

  /// Scale 1 is an honest worker: the records of `byzantine=2 byzantine-scale=1` are the honest run's.
  @Test func byzantineScaleOneIsHonest() throws {
    var c = SmallExperiment.config(compressor: "qsgd:levels=4", workers: 4, seed: 2)
    c.errorFeedback = true
    let honest = try Experiment(c)
    c.byzantine = 2
    c.byzantineScale = 1
    let scaled = try Experiment(c)
    _ = honest.run(until: StopCondition(steps: 4))
    _ = scaled.run(until: StopCondition(steps: 4))
    #expect(honest.history.map(\.withoutTimings) == scaled.history.map(\.withoutTimings))
  }

  /// FedProx, a Byzantine worker, error feedback and partial participation together.
  static func adversarial(threads: Int) -> ExperimentConfig {
    var c = SmallExperiment.config(compressor: "hsq:dim=8,k=32,codebook=gaussian,norm-bits=6", workers: 4, seed: 6)
    c.protocolName = .local
    c.localSteps = 3
    c.proxMu = 0.1
    c.byzantine = 1
    c.byzantineScale = -4
    c.errorFeedback = true
    c.participation = 0.75
    c.threads = threads
    return c
  }

  /// Runs `a` and `b` 6 steps each: the same records, parameters and memories, bit for bit.
  static func expectSameRuns(_ a: Experiment, _ b: Experiment) throws {
    _ = a.run(until: StopCondition(steps: 6))
    _ = b.run(until: StopCondition(steps: 6))
    #expect(a.history.count == 6)
    #expect(a.history.map(\.withoutTimings) == b.history.map(\.withoutTimings))
    #expect(Self.bits(a.parameters) == Self.bits(b.parameters))
    #expect(Self.bits(try a.memories) == Self.bits(try b.memories))
  }

  @Test func adversarialRunsAreBitIdenticalWhateverTheThreadCount() throws {
    try Self.expectSameRuns(try Experiment(Self.adversarial(threads: 1)), try Experiment(Self.adversarial(threads: 3)))
  }

  @Test func adversarialRunsGiveTheThreadsRecordsThroughTheLoopback() throws {
    let c = Self.adversarial(threads: 2)
    try Self.expectSameRuns(try Experiment(c), try Experiment(c, backend: LoopbackWorkerBackend()))
  }

  @Test func adversarialRunsResumeBitIdenticallyFromACheckpoint() throws {
    let straight = try SmallExperiment.expectResumesBitIdentically(Self.adversarial(threads: 2), steps: 6, saveAt: 3)
    #expect(straight.config.proxMu == 0.1 && straight.config.byzantine == 1 && straight.config.byzantineScale == -4)
  }

  /// The convergence report names the Byzantine workers among what the theory does not cover.
  @Test func theBoundSaysByzantineWorkersAreOutsideTheTheory() throws {
    var c = Self.leastSquares(mu: 0)
    c.protocolName = .gradient
    c.workers = 2
    c.byzantine = 1
    let e = try Experiment(c)
    _ = e.run(until: StopCondition(steps: 3))
    let report = try e.convergenceReport(samples: 8)
    #expect(!report.applies)
    #expect(report.notes.contains("1 Byzantine worker: the theory assumes honest workers."))
  }
}
