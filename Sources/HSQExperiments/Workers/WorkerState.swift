import Dispatch
import HSQCompressors
import HSQCore
import HSQModels
import Synchronization

/// One worker, as a real client holds it: its shard, its error-feedback memory, its workspace.
///
/// The host's lanes run participants concurrently, one lane a worker, while the host itself reads and
/// sets the memories between rounds: the memories sit behind a lock, so the type is checked `Sendable`
/// (its ``Workspace`` is used by the one lane running the worker).
final class WorkerState: Sendable {
  let id: Int
  /// The training-example indices of this worker (into the environment's `train`).
  let shard: [Int]
  let workspace = Workspace()

  private struct Memories {
    var committed: [[Float]]?
    var pending: [[Float]]?
    var undo: [[Float]]?
  }
  private let memories = Mutex(Memories())

  /// The committed error-feedback memory, or `nil` before the first error-feedback round.
  var memory: [[Float]]? {
    get { memories.withLock { $0.committed } }
    set { memories.withLock { $0.committed = newValue } }
  }
  /// The memory the last round computed, until the server commits or discards the round.
  var pendingMemory: [[Float]]? {
    get { memories.withLock { $0.pending } }
    set { memories.withLock { $0.pending = newValue } }
  }
  /// The memory a divergence rolls back to.
  var undoMemory: [[Float]]? {
    get { memories.withLock { $0.undo } }
    set { memories.withLock { $0.undo = newValue } }
  }

  init(id: Int, shard: [Int]) {
    self.id = id
    self.shard = shard
  }

  /// A minibatch from the shard, drawn with replacement from the worker's own stream for (step, local step).
  func batch(_ environment: WorkerEnvironment, step: Int, localStep: Int) -> Examples {
    Self.batch(from: environment.train, shard: shard, config: environment.config, worker: id, step: step, localStep: localStep)
  }

  /// Worker `w`'s minibatch of `config.batch` examples from `shard`: its own stream for (seed, step, w, local step).
  static func batch(from train: Examples, shard: [Int], config: ExperimentConfig, worker w: Int, step: Int, localStep: Int) -> Examples {
    var rng = RandomStream.derived(from: config.seed, purpose: "batch", step, w, localStep)
    let indices = (0..<config.batch).map { _ in shard[rng.int(below: shard.count)] }
    return train.subset(indices)
  }

  /// The worker's round: gradient (or E local steps), then every layer encoded to its payload.
  ///
  /// Returns the reply and the compressor inputs; the new memory is left in ``pendingMemory``.
  func run(_ request: RoundRequest, in environment: WorkerEnvironment) throws -> (reply: WorkerReply, inputs: [[Float]]) {
    let config = environment.config, model = environment.model, behaviour = environment.behaviour
    let start = DispatchTime.now().uptimeNanoseconds
    // Models write every entry of the gradient (a tested part of their contract), so the buffer starts uninitialized.
    var raw = model.uninitializedParameters()
    var loss = 0.0
    if config.protocolName == .local {
      let parameters = request.parameters
      var x = parameters
      var gradient = model.zeroParameters()
      for e in 0..<config.localSteps {
        let l = try model.lossAndGradient(parameters: x, batch: batch(environment, step: request.step, localStep: e), into: &gradient, workspace: workspace)
        if e == 0 { loss = l }
        try Self.requireFinite(l, worker: id)
        behaviour.localStep(&x, gradient: gradient, start: parameters, rate: Float(request.lr), decay: Float(config.weightDecay))
      }
      for layer in 0..<x.count { for i in 0..<x[layer].count { raw[layer][i] = parameters[layer][i] - x[layer][i] } }
    } else {
      loss = try model.lossAndGradient(parameters: request.parameters, batch: batch(environment, step: request.step, localStep: 0), into: &raw, workspace: workspace)
      try Self.requireFinite(loss, worker: id)
    }
    behaviour.poison(&raw, worker: id)
    let computed = DispatchTime.now().uptimeNanoseconds
    var reply = WorkerReply(
      worker: id, loss: loss, payloads: [], stats: [], computeSeconds: Double(computed - start) / 1e9, compressSeconds: 0,
      raw: request.sendsRaw ? raw : nil)
    let inputs = try compress(raw, into: &reply, request: request, environment: environment)
    reply.compressSeconds = Double(DispatchTime.now().uptimeNanoseconds - computed) / 1e9
    return (reply, inputs)
  }

  /// Encodes every layer of p = g (+ s·e under error feedback); decodes its own payloads for the error and the new memory.
  private func compress(_ raw: [[Float]], into reply: inout WorkerReply, request: RoundRequest, environment: WorkerEnvironment) throws -> [[Float]] {
    let config = environment.config
    let ef = config.errorFeedback
    let compressor = environment.uplink
    let lossless = compressor.isLossless
    let decodesToInput = compressor.decodesToInput
    // A payload that decodes to codeword rows is never written out: the error, the memory and the server's mean
    // are read from the rows.
    let rowCoder = lossless || decodesToInput ? nil : compressor as? any RowDecoding
    var inputs: [[Float]] = []
    var decoded: [LayerMessage] = []
    var newMemory: [[Float]] = []
    for (layer, g) in raw.enumerated() {
      // p = g + s·e in one pass into a new array (not a copy of g, then the axpy).
      var p = g
      if ef, let memory { p = Vec.sum(g, plus: request.efScale, times: memory[layer]) }
      var difference: [Float]?
      var stats = WorkerLayerStats()
      var q = p
      var message: LayerMessage?
      let payload: Payload
      if environment.compressLayer[layer] {
        var rng = RandomStream.derived(from: config.seed, purpose: "compress", request.step, id, layer)
        if let rowCoder {
          // The error statistics and, under error feedback, the new memory p − q: one pass over p and the rows.
          let rows: CodewordRows
          (payload, rows) = try rowCoder.encodeRows(p, rng: &rng)
          (stats.inputNormSquared, stats.errorSquared, difference) = rows.errorStatistics(of: p, difference: ef)
          message = .rows(rows)
        } else {
          payload = try compressor.encode(p, rng: &rng)
          if !decodesToInput { q = try compressor.decode(payload, length: p.count) }
          // A lossless compressor (identity) has no error to measure.
          // The error statistics and, under error feedback, the new memory p − q: one pass over p and q.
          if !lossless, ef {
            let fused = Vec.squaredNormDistanceAndDifference(p, q)
            (stats.inputNormSquared, stats.errorSquared, difference) = (fused.norm, fused.distance, fused.difference)
          } else if !lossless {
            (stats.inputNormSquared, stats.errorSquared) = Vec.squaredNormAndDistance(p, q)
          }
        }
        if config.trackTheory {
          stats.exact = compressor.expectedError(p)
          stats.bound = compressor.errorBound(p)
        } else {
          stats.exact = nil
          stats.bound = nil
        }
      } else {
        payload = Payload(float32: p)
        if !lossless { stats.inputNormSquared = Vec.squaredNorm(p) }
      }
      if ef { newMemory.append(difference ?? Vec.difference(p, q)) }
      inputs.append(p)
      decoded.append(message ?? .values(q))
      reply.payloads.append(payload)
      reply.stats.append(stats)
    }
    pendingMemory = ef ? newMemory : nil
    reply.decoded = decoded
    return inputs
  }

  static func requireFinite(_ loss: Double, worker: Int) throws {
    guard loss.isFinite else {
      // The cause only: the experiment adds where the state is (``Experiment/divergence(at:_:)``).
      throw ExperimentStop.diverged("worker \(worker)'s loss is \(loss)")
    }
  }
}
