import Foundation
import HSQ
import Testing

/// `track-gradient-norm=false`: the records leave ‖ḡ‖ out (per step and layer), the round asks the workers for no
/// raw gradients, and everything else the run records is what the tracked run records, bit for bit.
@Suite struct GradientNormTrackingTests {
  static func config(tracked: Bool) -> ExperimentConfig {
    var c = SmallExperiment.config(compressor: "hsq:dim=4,k=16,codebook=gaussian", workers: 3, seed: 5)
    c.errorFeedback = true
    if !tracked { c.trackGradientNorm = false }
    return c
  }

  @Test func untrackedRecordsLeaveOnlyTheNormOut() throws {
    let tracked = try Experiment(Self.config(tracked: true))
    let untracked = try Experiment(Self.config(tracked: false))
    _ = tracked.run(until: StopCondition(steps: 4))
    _ = untracked.run(until: StopCondition(steps: 4))
    #expect(tracked.history.allSatisfy { $0.gradientNorm != nil && $0.layers.allSatisfy { $0.gradientNorm != nil } })
    #expect(untracked.history.allSatisfy { $0.gradientNorm == nil && $0.layers.allSatisfy { $0.gradientNorm == nil } })
    func withoutNorms(_ r: StepRecord) -> StepRecord {
      var r = r.withoutTimings
      r.gradientNorm = nil
      for l in r.layers.indices { r.layers[l].gradientNorm = nil }
      return r
    }
    #expect(tracked.history.map(withoutNorms) == untracked.history.map(\.withoutTimings))
    #expect(tracked.parameters == untracked.parameters)
  }

  /// The setting is stored only when off (a default config encodes as before), survives a checkpoint, and the
  /// records written there decode without the key.
  @Test func theSettingIsSavedAndTheRecordsDecodeWithoutTheNorm() throws {
    let e = try Experiment(Self.config(tracked: true))
    try e.set("track-gradient-norm", to: "false")
    #expect(e.config.trackGradientNorm == false)
    try e.set("track-gradient-norm", to: "true")
    #expect(e.config.trackGradientNorm == nil)
    #expect(e.config == Self.config(tracked: true))
    // Listings (show config, recorded experiment lines, long tables) name it only where it is off.
    let listed = { (c: ExperimentConfig) in ExperimentConfig.listedFields(for: [c]).contains { $0.name == "track-gradient-norm" } }
    #expect(!listed(Self.config(tracked: true)) && listed(Self.config(tracked: false)))
    try e.set("track-gradient-norm", to: "false")
    _ = e.run(until: StopCondition(steps: 2))
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-norm-\(UUID()).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try e.save(to: path)
    let loaded = try Experiment.load(from: path)
    #expect(loaded.config.trackGradientNorm == false)
    #expect(loaded.history.map(\.withoutTimings) == e.history.map(\.withoutTimings))
    _ = loaded.run(until: StopCondition(steps: 1))
    #expect(loaded.history.last?.gradientNorm == nil)
    let json = String(decoding: try JSONEncoder().encode(e.history[0]), as: UTF8.self)
    #expect(!json.contains("gradient_norm"), "\(json)")
  }
}
