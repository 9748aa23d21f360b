import HSQ
import Testing

/// The simulated round time against rounds computed by hand, and its place in records.
@Suite struct NetworkModelTests {
  /// Two workers, 10 Mbit/s up, 50 Mbit/s down, 50 ms latency, 20 ms declared compute, server 5 ms:
  /// worker 0 sends 1 Mbit (0.1 s), worker 1 2 Mbit (0.2 s); the broadcast is 5 Mbit (0.1 s).
  /// round = max(0.02 + 0.1 + 0.05, 0.02 + 0.2 + 0.05) + 0.005 + (0.1 + 0.05) = 0.27 + 0.005 + 0.15 = 0.425 s.
  @Test func homogeneousRoundByHand() throws {
    let model = try #require(try NetworkModel.parse("link:uplink=10Mbit/s,downlink=50Mbit/s,latency=50ms,compute=20ms,server=5ms"))
    let round = model.roundSeconds([.init(worker: 0, bitsUp: 1_000_000, measuredCompute: 9), .init(worker: 1, bitsUp: 2_000_000, measuredCompute: 9)],
                                   bitsDown: 5_000_000, seed: 0)
    #expect(abs(round - 0.425) < 1e-12)
    #expect(!model.isMeasured)
  }

  /// Measured compute scaled by speed 2: worker 0 measured 0.4 s → 0.2 s; worker 1 0.1 s → 0.05 s.
  /// Uplink 1 Mbit/s, no latency; bits 100 000 (0.1 s) and 300 000 (0.3 s): max(0.3, 0.35) = 0.35; downlink
  /// defaults to the uplink: 200 000 bits → 0.2 s. Round 0.55 s.
  @Test func measuredComputeScaledBySpeed() throws {
    let model = try #require(try NetworkModel.parse("link:uplink=1e6,speed=2"))
    let round = model.roundSeconds([.init(worker: 0, bitsUp: 100_000, measuredCompute: 0.4), .init(worker: 1, bitsUp: 300_000, measuredCompute: 0.1)],
                                   bitsDown: 200_000, seed: 3)
    #expect(abs(round - 0.55) < 1e-12)
    #expect(model.isMeasured)
  }

  /// With spread, each worker's links are scaled by its seeded factor; the slowest decides.
  @Test func heterogeneousLinksUseTheSeededFactors() throws {
    let model = try #require(try NetworkModel.parse("link:uplink=1Mbit/s,spread=0.5,compute=0"))
    let f0 = model.factor(worker: 0, seed: 7), f1 = model.factor(worker: 1, seed: 7)
    #expect(f0 != f1)
    #expect(model.factor(worker: 0, seed: 7) == f0)
    let expected = max(1e6 / (1e6 * f0), 1e6 / (1e6 * f1)) + max(1e5 / (1e6 * f0), 1e5 / (1e6 * f1))
    let round = model.roundSeconds([.init(worker: 0, bitsUp: 1_000_000, measuredCompute: 0), .init(worker: 1, bitsUp: 1_000_000, measuredCompute: 0)],
                                   bitsDown: 100_000, seed: 7)
    #expect(abs(round - expected) < 1e-12)
  }

  @Test func badSpellingsNameTheFix() throws {
    #expect(throws: HSQError.self) { try NetworkModel.parse("link:latency=5ms") }
    #expect(throws: HSQError.self) { try NetworkModel.parse("link:uplink=fast") }
    #expect(throws: HSQError.self) { try NetworkModel.parse("link:uplnk=5Mbit/s") }
    #expect(throws: HSQError.self) { try NetworkModel.parse("wifi") }
    #expect(try NetworkModel.parse("none") == nil)
  }

  /// In an experiment: a declared compute makes the round time deterministic and it is the hand-computed sum
  /// of the per-worker payload bits; without the setting there is no simulated time.
  @Test func recordsCarryRoundTimes() throws {
    var config = SmallExperiment.config(compressor: "qsgd:bits=2", workers: 4, seed: 1)
    let plain = try Experiment(config)
    let r0 = try plain.step()
    #expect(r0.roundSeconds == nil && r0.cumulativeRoundSeconds == nil)
    config.network = "link:uplink=1Mbit/s,downlink=10Mbit/s,latency=10ms,compute=1ms"
    let e = try Experiment(config)
    let a = try e.step(), b = try e.step()
    // qsgd:bits=2 sends the same bits from every worker (fixed-length payloads); so slowest = any worker.
    let perWorker = Double(a.bitsUp) / 4
    let expected = 0.001 + perWorker / 1e6 + 0.01 + Double(a.bitsDown) / 1e7 + 0.01
    #expect(abs(a.roundSeconds! - expected) < 1e-12)
    #expect(abs(b.cumulativeRoundSeconds! - a.roundSeconds! - b.roundSeconds!) < 1e-12)
    #expect(a.roundTimeMeasured == false)
    let again = try Experiment(config)
    #expect(try again.step().withoutTimings == a.withoutTimings)
    #expect(e.network?.summary.hasPrefix("network: uplink 1 Mbit/s, downlink 10 Mbit/s, latency 10 ms") == true)
  }
}

/// Evaluating (at epoch boundaries, or not at all) never changes what training computes.
@Suite struct EvaluationIndependenceTests {
  @Test(arguments: ["least-squares:bias=false", "mlp:hidden=16"])
  func epochEvaluationLeavesTrainingAlone(_ model: String) throws {
    var config = ExperimentConfig()
    config.dataset = model.hasPrefix("mlp") ? "gaussian-mixture:classes=4,d=40,n=800,n-test=200" : "linear:d=64,n=1024,condition=10"
    config.model = model
    config.workers = 4
    config.batch = 16
    config.lr = 0.05
    config.compressor = "scaled-sign"
    config.errorFeedback = true
    config.compressThreshold = 0
    config.seed = 3
    let evaluated = try Experiment(config)
    _ = evaluated.run(until: StopCondition(steps: 60))
    config.evalEpochs = false
    let plain = try Experiment(config)
    _ = plain.run(until: StopCondition(steps: 60))
    #expect(evaluated.history.contains { $0.testExamples != nil })
    #expect(plain.history.allSatisfy { $0.testExamples == nil })
    #expect(evaluated.history.map(\.trainLoss) == plain.history.map(\.trainLoss))
    #expect(evaluated.parameters.map { $0.map(\.bitPattern) } == plain.parameters.map { $0.map(\.bitPattern) })
  }
}
