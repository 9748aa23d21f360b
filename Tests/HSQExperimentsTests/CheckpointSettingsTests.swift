import HSQ
import Testing

/// Save → load → continue equals the uninterrupted run, bit for bit, with every piece of state a round can carry:
/// sampled participants, a decayed learning rate, a downlink compressor with the server's error-feedback memory,
/// the workers' memories, momentum, and the local protocol.
@Suite struct CheckpointSettingsTests {
  static func config(protocol name: String) -> ExperimentConfig {
    var c = SmallExperiment.config(compressor: "hsq:dim=8,k=32,codebook=gaussian,norm-bits=6", workers: 6, seed: 13)
    c.downlink = "hsq-unbiased:dim=8,k=32,codebook=gaussian"
    c.participation = 0.5
    c.protocolName = RoundProtocol(rawValue: name)!
    c.localSteps = name == "local" ? 2 : 1
    c.momentum = 0.5
    c.weightDecay = 0.001
    // 3 participants × 16 examples × E local steps per round: the rate decays during the run, after the save.
    c.lrDecay = 0.5
    c.lrDecayEvery = name == "local" ? 0.4 : 0.2
    c.errorFeedback = true
    c.efScale = .warmup
    c.evalEvery = 3
    return c
  }

  @Test(arguments: ["gradient", "local"])
  func savedExperimentResumesBitIdentically(protocol name: String) throws {
    let straight = try SmallExperiment.expectResumesBitIdentically(Self.config(protocol: name), steps: 8, saveAt: 4)
    // The run exercised what it claims to: sampled rounds, a decay after the save, downlink bits.
    let records = straight.history
    #expect(records.allSatisfy { $0.participants == 3 })
    #expect(records[3].lr == 0.05 && records[7].lr < 0.05, "lr \(records.map(\.lr))")
    #expect(records.allSatisfy { $0.bitsDown < 32 * straight.model.parameterCount })
  }
}
