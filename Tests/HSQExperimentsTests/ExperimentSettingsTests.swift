import Foundation
import HSQ
import Testing

@testable import HSQExperiments

/// Each experiment setting against an expectation computed independently of the engine: the model's own
/// gradient on the round's batch, and the update rule, compressor or partition applied by hand.
@Suite struct ExperimentSettingsTests {
  /// One worker with the identity uplink unless changed; one thread.
  static func config(workers: Int = 1, batch: Int = 16) -> ExperimentConfig {
    var c = SmallExperiment.config(workers: workers, seed: 11)
    c.batch = batch
    c.threads = 1
    return c
  }

  /// The minibatch worker `w` draws in round `step`, local step `localStep` (the engine's own sampler).
  static func batch(_ e: Experiment, step: Int, worker w: Int, localStep: Int = 0) -> Examples {
    WorkerState.batch(from: e.dataset.train, shard: e.shards[w], config: e.config, worker: w, step: step, localStep: localStep)
  }

  /// The model's gradient (and loss) at `x` on `batch`, with a fresh workspace.
  static func gradient(_ e: Experiment, at x: [[Float]], on batch: Examples) throws -> (loss: Double, g: [[Float]]) {
    var g = e.model.zeroParameters()
    let loss = try e.model.lossAndGradient(parameters: x, batch: batch, into: &g, workspace: Workspace())
    return (loss, g)
  }

  /// f(a[l][i], b[l][i]) for every layer l and entry i.
  static func combine(_ a: [[Float]], _ b: [[Float]], _ f: (Float, Float) -> Float) -> [[Float]] {
    zip(a, b).map { x, y in zip(x, y).map { f($0, $1) } }
  }

  /// `a` and `b` agree bit for bit, layer by layer.
  static func expectBitwise(_ a: [[Float]], _ b: [[Float]], _ label: String) {
    #expect(a.count == b.count, "\(label): layer count")
    for (l, (x, y)) in zip(a, b).enumerated() {
      let bad = zip(x, y).filter { $0.bitPattern != $1.bitPattern }.count
      #expect(x.count == y.count && bad == 0, "\(label): layer \(l) has \(bad) of \(x.count) entries different")
    }
  }

  @Test func weightDecayIsAddedToTheGradientByTheServer() throws {
    var c = Self.config()
    c.weightDecay = 0.01
    let e = try Experiment(c)
    let x = e.parameters
    let (_, g) = try Self.gradient(e, at: x, on: Self.batch(e, step: 0, worker: 0))
    try e.step()
    let rate = Float(0.05), decay = Float(0.01)
    let expected = Self.combine(x, g) { (x: Float, g: Float) -> Float in x - rate * (g + decay * x) }
    Self.expectBitwise(e.parameters, expected, "x − η(g + λx)")
    let plain = Self.combine(x, g) { (x: Float, g: Float) -> Float in x - rate * g }
    #expect(e.parameters != plain, "the decay term changes the step")
  }

  @Test func localProtocolWithOneWorkerIsLocalSGDOverTheSameBatches() throws {
    var c = Self.config()
    c.protocolName = .local
    c.localSteps = 3
    c.weightDecay = 0.01
    let e = try Experiment(c)
    let x0 = e.parameters
    let rate = Float(0.05), decay = Float(0.01)
    var x = x0
    var firstLoss = 0.0
    for step in 0..<3 {
      let (loss, g) = try Self.gradient(e, at: x, on: Self.batch(e, step: 0, worker: 0, localStep: step))
      if step == 0 { firstLoss = loss }
      x = Self.combine(x, g) { (x: Float, g: Float) -> Float in x - rate * (g + decay * x) }
    }
    let record = try e.step()
    // The worker sends the delta x₀ − x₃; the server applies it with rate 1: x₀ − (x₀ − x₃).
    let expected = Self.combine(x0, x) { (x0: Float, x3: Float) -> Float in x0 - (x0 - x3) }
    Self.expectBitwise(e.parameters, expected, "one round of 3 local steps")
    #expect(record.trainLoss == firstLoss, "the round's loss is the first local step's")
    #expect(record.epoch == Double(3 * 16) / 800, "3 local steps of 16 examples")
  }

  /// Step decay by hand: 64 examples a step on 800 is 0.08 epochs, so with lr-decay-every = 0.4 epochs the rate
  /// halves before steps 5, 10, 15 (counted from 0). 15 · 64 / 800 / 0.4 is 2.9999999999999996 in floating point.
  @Test func lrDecayChangesTheRateAtTheRightStep() throws {
    var c = Self.config(batch: 64)
    c.lrDecay = 0.5
    c.lrDecayEvery = 0.4
    let e = try Experiment(c)
    for t in 0..<16 {
      let x = e.parameters
      let (_, g) = try Self.gradient(e, at: x, on: Self.batch(e, step: t, worker: 0))
      let record = try e.step()
      let lr = 0.05 * pow(0.5, Double(t / 5))
      #expect(record.lr == lr, "step \(t)")
      let rate = Float(lr)
      let expected = Self.combine(x, g) { (x: Float, g: Float) -> Float in x - rate * g }
      Self.expectBitwise(e.parameters, expected, "step \(t) at lr \(lr)")
    }
  }

  /// The error-feedback input is p = g + s·e with the memory e of the last round and s the constant or the
  /// warm-up 2/(1 + e^(−epoch)) − 1 at the start of the round.
  @Test(arguments: ["warmup", "0.5"])
  func efScaleWeighsTheMemory(scale: String) throws {
    var c = Self.config(workers: 2)
    c.compressor = "hsq:dim=8,k=32,codebook=gaussian,norm-bits=6"
    c.errorFeedback = true
    c.efScale = try ErrorFeedbackScale(parsing: scale)
    let e = try Experiment(c)
    #expect(e.currentEFScale == (scale == "warmup" ? 0 : 0.5))
    try e.step()
    for t in 1..<3 {
      let epoch = Double(t * 2 * 16) / 800
      let s = scale == "warmup" ? Float(2 / (1 + exp(-epoch)) - 1) : 0.5
      #expect(e.currentEFScale == s, "step \(t)")
      let memories = try e.memories, x = e.parameters
      try e.step()
      for w in 0..<2 {
        let (_, g) = try Self.gradient(e, at: x, on: Self.batch(e, step: t, worker: w))
        let expected = Self.combine(g, memories[w]) { (g: Float, m: Float) -> Float in g + s * m }
        Self.expectBitwise(try e.lastInputs[w], expected, "step \(t) worker \(w): g + s·e")
      }
    }
  }

  @Test func downlinkCompressesTheAggregateAndCountsItsPayloadBits() throws {
    var c = Self.config()
    c.downlink = "hsq:dim=8,k=32,codebook=gaussian,norm-bits=6"
    let e = try Experiment(c)
    let downlink = try Compressors.make(c.downlink)
    let x = e.parameters
    let (_, g) = try Self.gradient(e, at: x, on: Self.batch(e, step: 0, worker: 0))
    let record = try e.step()
    var bits = 0
    var expected = x
    let rate = Float(0.05)
    for (l, layer) in e.model.layers.enumerated() {
      var sent = g[l]
      if layer.count > 100 {
        var rng = RandomStream.derived(from: c.seed, purpose: "downlink", 0, l)
        let payload = try downlink.encode(g[l], rng: &rng)
        #expect(payload.bitCount == downlink.bits(length: layer.count), "layer \(layer.name): fixed payload size")
        bits += payload.bitCount
        sent = try downlink.decode(payload, length: layer.count)
      } else {
        bits += 32 * layer.count
      }
      expected[l] = zip(x[l], sent).map { (x: Float, q: Float) -> Float in x - rate * q }
    }
    #expect(e.model.layers.contains { $0.count > 100 } && e.model.layers.contains { $0.count <= 100 })
    #expect(record.bitsDown == bits)
    #expect(record.cumulativeBitsDown == bits)
    #expect(bits < 32 * e.model.parameterCount)
    Self.expectBitwise(e.parameters, expected, "x − η·decode(encode(ĝ))")
  }

  @Test(arguments: ["dirichlet:alpha=0.3", "shards"])
  func partitionGivesThePartitionersShards(spec: String) throws {
    var c = Self.config(workers: 5)
    c.partition = spec
    let e = try Experiment(c)
    let expected = try Partitions.make(spec).assign(e.dataset.train, workers: 5, seed: c.seed)
    #expect(e.shards == expected)
    let iid = try Partitions.make("iid").assign(e.dataset.train, workers: 5, seed: c.seed)
    #expect(e.shards != iid)
    // Set at step 0 on an iid experiment, the shards follow.
    let later = try Experiment(Self.config(workers: 5))
    #expect(later.shards == iid)
    try later.set("partition", to: spec)
    #expect(later.shards == expected)
  }

  @Test func trackTheoryRecordsTheExactErrorAndTheBoundOrNothing() throws {
    var on = Self.config(workers: 2)
    on.compressor = "hsq-unbiased:dim=8,k=32,codebook=gaussian"
    var off = on
    off.trackTheory = false
    let a = try Experiment(on), b = try Experiment(off)
    let ra = try a.step(), rb = try b.step()
    #expect(a.parameters == b.parameters, "tracking changes nothing else")
    for (l, layer) in a.model.layers.enumerated() where layer.count > 100 {
      let inputs = try a.lastInputs.map { $0[l] }
      let normSq = inputs.reduce(0.0) { $0 + Vec.squaredNorm($1) }
      let exact = try inputs.reduce(0.0) { $0 + (try #require(a.uplink.expectedError($1))) } / normSq
      let bound = try inputs.reduce(0.0) { $0 + (try #require(a.uplink.errorBound($1))) } / normSq
      #expect(ra.layers[l].exactRho == exact, "layer \(layer.name)")
      #expect(ra.layers[l].boundRho == bound, "layer \(layer.name)")
      #expect(rb.layers[l].exactRho == nil && rb.layers[l].boundRho == nil, "layer \(layer.name), track-theory=false")
      #expect(rb.layers[l].observedRho == ra.layers[l].observedRho)
    }
  }

  @Test(arguments: [(50, 50), (0, 200), (500, 200)])
  func testSubsetEvaluatesOnThatManyExamples(subset: Int, evaluated: Int) throws {
    var c = Self.config()
    c.testSubset = subset
    c.evalEvery = 1
    let e = try Experiment(c)
    let record = try e.step()
    let evaluation = try e.evaluate()
    #expect(evaluation.count == evaluated)
    let expected = try e.model.evaluate(
      parameters: e.parameters, examples: e.dataset.test.subset(Array(0..<evaluated)), workspace: Workspace())
    #expect(evaluation == expected)
    #expect(record.testLoss == expected.loss && record.testAccuracy == expected.accuracy)
    if evaluated < 200 {
      let all = try e.model.evaluate(parameters: e.parameters, examples: e.dataset.test, workspace: Workspace())
      #expect(all.loss != expected.loss, "the subset is not the whole test set")
    }
  }
}
