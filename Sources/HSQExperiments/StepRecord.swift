import HSQCore

/// What one layer did in one step: bits, and the theory's error quantities next to the observed one.
public struct LayerRecord: Codable, Sendable, Hashable {
  public var name: String
  /// Whether the layer went through the compressor (else float32, below the size threshold).
  public var compressed: Bool
  /// Parameters in the layer.
  public var count: Int
  /// Uplink bits of this layer, summed over participating workers, counted from payloads.
  public var bits: Int
  /// Observed ρ = Σᵢ‖Q(pᵢ) − pᵢ‖² / Σᵢ‖pᵢ‖² over participating workers (pᵢ: the compressor's input).
  public var observedRho: Double
  /// The same ratio with the compressor's exact E‖Q(p) − p‖², where the theory gives one.
  public var exactRho: Double?
  /// The same ratio with the compressor's per-vector bound on E‖Q(p) − p‖².
  public var boundRho: Double?
  /// The worst case the compressor declares for this length: ω, or 1 − δ; `nil` without a guarantee.
  public var worstCase: Double?
  /// `unbiased`, `contraction` or `none`.
  public var guarantee: String
  /// ‖ḡ‖, the norm of the mean uncompressed gradient (or delta) of the layer; `nil` under `track-gradient-norm=false`.
  public var gradientNorm: Double?
}

/// Everything recorded after one step of an experiment.
///
/// All fields but the two timings are deterministic: the same config and seed
/// give the same records bit for bit.
public struct StepRecord: Codable, Sendable, Hashable {
  /// Steps completed, this one included.
  public var step: Int
  /// Training examples processed so far divided by the training-set size.
  public var epoch: Double
  /// The learning rate used.
  public var lr: Double
  /// Mean minibatch loss over participating workers, before the update.
  public var trainLoss: Double
  public var testLoss: Double?
  public var testAccuracy: Double?
  /// Test examples `testLoss` and `testAccuracy` were measured on (the whole test set, or `test-subset` of it).
  public var testExamples: Int?
  /// Workers that took part.
  public var participants: Int
  /// Uplink bits of this step (all workers, all layers), from payloads.
  public var bitsUp: Int
  /// Downlink bits of this step: the broadcast aggregate (one message every worker receives).
  public var bitsDown: Int
  public var cumulativeBitsUp: Int
  public var cumulativeBitsDown: Int
  /// ‖ḡ‖ over all layers; `nil` under `track-gradient-norm=false`.
  public var gradientNorm: Double?
  /// ‖x − x*‖² where the model has a closed-form optimum, else `nil`.
  public var distanceToOptimum: Double?
  public var layers: [LayerRecord]
  /// Seconds spent computing gradients, summed over workers (not deterministic).
  public var computeSeconds: Double
  /// Seconds spent compressing, decompressing and on theory, summed over workers (not deterministic).
  public var compressSeconds: Double
  /// Wall seconds the step took here (not deterministic).
  public var wallSeconds: Double? = nil
  /// Wall seconds of every step so far (not deterministic).
  public var cumulativeWallSeconds: Double? = nil
  /// The simulated round time under the network model (see ``NetworkModel``); `nil` without one.
  public var roundSeconds: Double? = nil
  /// Simulated seconds of every round so far.
  public var cumulativeRoundSeconds: Double? = nil
  /// Whether the round time includes measured compute time (then it is a timing, not deterministic).
  public var roundTimeMeasured: Bool? = nil
  /// What the step put on a real wire (a transport backend such as MPI; `nil` in process).
  public var wire: WireRecord? = nil
  /// The server optimizer's state norms (``ServerRecord``); `nil` under the default `mean` + `sgd`.
  public var server: ServerRecord? = nil

  /// The record without its timings and wire figures, for bit-identical comparisons (across backends too).
  public var withoutTimings: StepRecord {
    var copy = self
    copy.computeSeconds = 0
    copy.compressSeconds = 0
    copy.wire = nil
    copy.wallSeconds = nil
    copy.cumulativeWallSeconds = nil
    if copy.roundTimeMeasured == true {
      copy.roundSeconds = nil
      copy.cumulativeRoundSeconds = nil
    }
    return copy
  }
}

/// A change made between steps (a setting, a compressor swap), kept in the experiment's log.
public struct ExperimentEvent: Codable, Sendable, Hashable {
  /// The step count when the change was made.
  public var step: Int
  public var text: String
}
