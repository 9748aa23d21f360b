import Dispatch
import HSQCompressors
import HSQCore
import HSQModels

/// One layer's numbers from one worker.
struct LayerStats: Sendable {
  var bits = 0
  var inputNormSquared = 0.0
  var errorSquared = 0.0
  var exact: Double? = 0
  var bound: Double? = 0
}

/// What one worker sends and measures in one round.
struct WorkerOutput: Sendable {
  var loss: Double
  /// The decoded message per layer (what the server receives).
  var messages: [[Float]]
  /// The compressor's input per layer (gradient or delta, plus memory under error feedback).
  var inputs: [[Float]]
  /// The uncompressed gradient or delta per layer.
  var raw: [[Float]]
  /// The worker's new error-feedback memory, when error feedback is on.
  var memory: [[Float]]?
  var stats: [LayerStats]
  var computeSeconds: Double
  var compressSeconds: Double
}

/// The immutable inputs of one round, shared by the worker threads.
struct RoundContext: Sendable {
  let config: ExperimentConfig
  let pipeline: Pipeline
  let parameters: [[Float]]
  let step: Int
  let lr: Double
  let efScale: Float

  /// A minibatch from worker `w`'s shard, drawn with replacement from its own stream.
  func batch(worker w: Int, localStep: Int) -> Examples {
    var rng = RandomStream.derived(from: config.seed, purpose: "batch", step, w, localStep)
    let shard = pipeline.shards[w]
    let indices = (0..<config.batch).map { _ in shard[rng.int(below: shard.count)] }
    return pipeline.dataset.train.subset(indices)
  }

  /// Worker `w`'s round: gradient (or E local steps), then compression of every layer.
  func run(worker w: Int, memory: [[Float]]?, workspace: Workspace) throws -> WorkerOutput {
    let model = pipeline.model
    let start = DispatchTime.now().uptimeNanoseconds
    // Models write every entry of the gradient (a tested part of their contract), so the buffer starts uninitialized.
    var raw = model.uninitializedParameters()
    var loss = 0.0
    if config.protocolName == .local {
      var x = parameters
      var gradient = model.zeroParameters()
      for e in 0..<config.localSteps {
        let l = try model.lossAndGradient(parameters: x, batch: batch(worker: w, localStep: e), into: &gradient, workspace: workspace)
        if e == 0 { loss = l }
        try Self.requireFinite(l, worker: w, step: step)
        let rate = Float(lr), decay = Float(config.weightDecay)
        for layer in 0..<x.count {
          for i in 0..<x[layer].count { x[layer][i] -= rate * (gradient[layer][i] + decay * x[layer][i]) }
        }
      }
      for layer in 0..<x.count { for i in 0..<x[layer].count { raw[layer][i] = parameters[layer][i] - x[layer][i] } }
    } else {
      loss = try model.lossAndGradient(parameters: parameters, batch: batch(worker: w, localStep: 0), into: &raw, workspace: workspace)
      try Self.requireFinite(loss, worker: w, step: step)
    }
    let computed = DispatchTime.now().uptimeNanoseconds
    var output = WorkerOutput(
      loss: loss, messages: [], inputs: [], raw: raw, memory: nil, stats: [],
      computeSeconds: Double(computed - start) / 1e9, compressSeconds: 0)
    try compress(&output, worker: w, memory: memory)
    output.compressSeconds = Double(DispatchTime.now().uptimeNanoseconds - computed) / 1e9
    return output
  }

  func compress(_ output: inout WorkerOutput, worker w: Int, memory: [[Float]]?) throws {
    let ef = config.errorFeedback
    let compressor = pipeline.uplink
    let lossless = compressor.isLossless
    // The identity codec's payload is the input's bytes; decoding them gives the input back bit for bit.
    let decodesToInput = compressor is IdentityCompressor
    var newMemory: [[Float]] = []
    for (layer, g) in output.raw.enumerated() {
      var p = g
      if ef, let memory { Vec.axpy(efScale, memory[layer], &p) }
      var stats = LayerStats()
      var q = p
      if pipeline.compressLayer[layer] {
        var rng = RandomStream.derived(from: config.seed, purpose: "compress", step, w, layer)
        let payload = try compressor.encode(p, rng: &rng)
        if !decodesToInput { q = try compressor.decode(payload, length: p.count) }
        stats.bits = payload.bitCount
        // A lossless compressor (identity) has no error to measure.
        if !lossless { (stats.inputNormSquared, stats.errorSquared) = Vec.squaredNormAndDistance(p, q) }
        if config.trackTheory {
          stats.exact = compressor.expectedError(p)
          stats.bound = compressor.errorBound(p)
        } else {
          stats.exact = nil
          stats.bound = nil
        }
      } else {
        stats.bits = 32 * p.count
        if !lossless { stats.inputNormSquared = Vec.squaredNorm(p) }
      }
      if ef { newMemory.append(Vec.difference(p, q)) }
      output.inputs.append(p)
      output.messages.append(q)
      output.stats.append(stats)
    }
    output.memory = ef ? newMemory : nil
  }

  static func requireFinite(_ loss: Double, worker: Int, step: Int) throws {
    guard loss.isFinite else {
      // The cause only: the experiment adds where the state is (``Experiment/divergence(at:_:)``).
      throw ExperimentStop.diverged("worker \(worker)'s loss is \(loss)")
    }
  }
}

/// Why a run stopped early.
public enum ExperimentStop: Error, Equatable, Sendable, UserFacingError {
  /// NaN/Inf or a loss blow-up: the step was not applied.
  case diverged(String)

  public var description: String {
    switch self {
    case let .diverged(message): return message
    }
  }
}
