import Foundation
import HSQ
import Testing

/// The small problem the settings tests share: 800 training and 200 test examples of 40 features in 4 classes, a
/// 40-32-4 MLP (1444 parameters; the two layers above 100 parameters go through the compressor), batch 16.
enum SmallExperiment {
  static func config(compressor: String = "identity", workers: Int, lr: Double = 0.05, seed: UInt64) -> ExperimentConfig {
    var c = ExperimentConfig()
    c.dataset = "gaussian-mixture:classes=4,d=40,n=800,n-test=200"
    c.model = "mlp:hidden=32"
    c.compressor = compressor
    c.compressThreshold = 100
    c.workers = workers
    c.batch = 16
    c.lr = lr
    c.seed = seed
    return c
  }

  /// Runs `config` for `steps` steps straight, and again saving after `saveAt` steps, loading and finishing:
  /// expects the same parameters and records, bit for bit. Returns the straight run.
  @discardableResult
  static func expectResumesBitIdentically(_ config: ExperimentConfig, steps: Int, saveAt: Int) throws -> Experiment {
    let straight = try Experiment(config)
    _ = straight.run(until: StopCondition(steps: steps))
    let first = try Experiment(config)
    _ = first.run(until: StopCondition(steps: saveAt))
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-resume-\(UUID()).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try first.save(to: path)
    let resumed = try Experiment.load(from: path)
    _ = resumed.run(until: StopCondition(steps: steps - saveAt))
    #expect(resumed.parameters.map { $0.map(\.bitPattern) } == straight.parameters.map { $0.map(\.bitPattern) })
    #expect(resumed.history.map(\.withoutTimings) == straight.history.map(\.withoutTimings))
    return straight
  }
}
