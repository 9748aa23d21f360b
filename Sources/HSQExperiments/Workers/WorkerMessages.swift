import HSQCore

/// One round, as the server sends it to the workers.
///
/// Everything else a worker needs (batch size, compressor, error feedback, protocol, seed …) comes
/// from the config it was configured with (``WorkerCommand/configure(_:)``); `lr` and `efScale`
/// travel because they follow the server's count of examples seen.
public struct RoundRequest: Sendable, Hashable {
  /// t, the steps completed before this round (seeds the batches and the compressor streams).
  public var step: Int
  /// The worker ids taking part, in the order the server aggregates them.
  public var participants: [Int]
  /// x, one array per layer.
  public var parameters: [[Float]]
  /// The learning rate of the round (local steps use it).
  public var lr: Double
  /// s, the error-feedback scale of the round.
  public var efScale: Float
  /// Whether the replies carry the raw gradient (the diagnostics frame the gradient-norm column needs).
  public var sendsRaw: Bool

  public init(step: Int, participants: [Int], parameters: [[Float]], lr: Double, efScale: Float, sendsRaw: Bool) {
    self.step = step
    self.participants = participants
    self.parameters = parameters
    self.lr = lr
    self.efScale = efScale
    self.sendsRaw = sendsRaw
  }
}

/// What one layer's compression measured on one worker (its bits are the payload's `bitCount`).
public struct WorkerLayerStats: Sendable, Hashable {
  /// ‖p‖², the compressor input's squared norm (0 for a lossless compressor, which has no error to measure).
  public var inputNormSquared = 0.0
  /// ‖Q(p) − p‖².
  public var errorSquared = 0.0
  /// The compressor's exact E‖Q(p) − p‖²; `nil` when it gives none or theory is not tracked (0 for uncompressed layers).
  public var exact: Double? = 0
  /// The compressor's bound on E‖Q(p) − p‖²; `nil` as for ``exact``.
  public var bound: Double? = 0

  public init(inputNormSquared: Double = 0, errorSquared: Double = 0, exact: Double? = 0, bound: Double? = 0) {
    self.inputNormSquared = inputNormSquared
    self.errorSquared = errorSquared
    self.exact = exact
    self.bound = bound
  }
}

/// One worker's answer to a round: its payloads (the real bytes), its loss and what the records need.
public struct WorkerReply: Sendable, Hashable {
  public var worker: Int
  /// The minibatch loss (of the first local step under the local protocol).
  public var loss: Double
  /// One payload per layer: the compressor's for compressed layers, the float32 bytes (32·n bits) for the others.
  public var payloads: [Payload]
  public var stats: [WorkerLayerStats]
  /// Seconds computing the gradient (or the local steps); not deterministic.
  public var computeSeconds: Double
  /// Seconds encoding, decoding its own payload (for the memory and the error), and on theory; not deterministic.
  public var compressSeconds: Double
  /// The diagnostics frame: the uncompressed gradient (or delta) per layer, when the request asked for it.
  /// Only the gradient-norm column reads it; it is not part of the uplink bits.
  public var raw: [[Float]]?
  /// The diagnostics of a whole round: per layer, ‖ḡ‖² of the mean ḡ of every participant's raw gradient,
  /// the mean summed as the server sums it (``Experiment/workerMean(_:)``) and the norm taken as the server
  /// takes it — the only figures the records read from the raw gradients. Sent instead of the participants'
  /// ``raw`` frames, in the first reply, when one process served every participant of the round (the one
  /// worker rank of a 2-rank MPI job): 8 bytes a layer on the wire instead of a gradient per worker.
  public var rawMeanNormsSquared: [Double]?
  /// In-process only, never encoded: what the payloads decode to, as the worker decoded them for its own
  /// error and memory (codeword rows, not yet written out, where the uplink decodes to them). A server in
  /// the same process may use it instead of decoding the payloads again (decoding is a deterministic
  /// function of the payload; the loopback tests hold the two equal bit for bit). Not part of equality.
  var decoded: [LayerMessage]?

  public init(worker: Int, loss: Double, payloads: [Payload], stats: [WorkerLayerStats], computeSeconds: Double, compressSeconds: Double, raw: [[Float]]?) {
    self.worker = worker
    self.loss = loss
    self.payloads = payloads
    self.stats = stats
    self.computeSeconds = computeSeconds
    self.compressSeconds = compressSeconds
    self.raw = raw
  }

  /// The payload bytes, all layers: what the compressor put on the wire.
  public var payloadByteCount: Int { payloads.reduce(0) { $0 + $1.bytes.count } }
  /// The diagnostics' bytes (4 per raw value, 8 per layer norm), counted apart from the payloads.
  public var diagnosticByteCount: Int { 4 * (raw?.floatCount ?? 0) + 8 * (rawMeanNormsSquared?.count ?? 0) }

  /// Equal when everything that travels is equal (the in-process ``decoded`` vectors do not count).
  public static func == (a: WorkerReply, b: WorkerReply) -> Bool {
    a.worker == b.worker && a.loss == b.loss && a.payloads == b.payloads && a.stats == b.stats
      && a.computeSeconds == b.computeSeconds && a.compressSeconds == b.compressSeconds && a.raw == b.raw
      && a.rawMeanNormsSquared.map { $0.map(\.bitPattern) } == b.rawMeanNormsSquared.map { $0.map(\.bitPattern) }
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(worker)
    hasher.combine(payloads)
  }
}

/// One worker's error-feedback memory, or `nil` before its first error-feedback round.
public struct WorkerMemory: Sendable, Hashable {
  public var worker: Int
  public var layers: [[Float]]?

  public init(worker: Int, layers: [[Float]]?) {
    self.worker = worker
    self.layers = layers
  }
}

/// A failure on the worker side, as it crosses the wire.
public struct WorkerFailure: Error, Sendable, Hashable, CustomStringConvertible {
  /// The worker whose round failed (`nil` for a failure outside a worker's round).
  public var worker: Int?
  /// A non-finite loss: the server rethrows it as ``ExperimentStop/diverged(_:)``.
  public var diverged: Bool
  /// The original error's description.
  public var message: String

  public init(worker: Int?, diverged: Bool, message: String) {
    self.worker = worker
    self.diverged = diverged
    self.message = message
  }

  init(_ error: any Error, worker: Int?) {
    if case let ExperimentStop.diverged(cause) = error {
      self.init(worker: worker, diverged: true, message: cause)
    } else {
      self.init(worker: worker, diverged: false, message: "\(error)")
    }
  }

  /// The error to throw on the server: the divergence the step handles, or this failure.
  public var serverError: any Error { diverged ? ExperimentStop.diverged(message) : self }

  public var description: String { message }
}

/// Everything the server asks of the workers, in the order a transport delivers it.
public enum WorkerCommand: Sendable, Hashable {
  /// The config changed (or the experiment began): rebuild what it names. Workers (and their memories)
  /// are kept unless the dataset, model, partition, worker count or seed changed.
  case configure(ExperimentConfig)
  /// Run a round; answered by ``WorkerResponse/replies(_:)``. The new memories stay pending.
  case round(RoundRequest)
  /// The server accepted the last round: pending memories become the memories; with `keepingUndoPoint`
  /// the memories they replace are kept first as the state a divergence rolls back to.
  case commit(keepingUndoPoint: Bool)
  /// The server refused the last round: pending memories are dropped.
  case discard
  /// A divergence: every memory goes back to the undo point; the last round's inputs are forgotten.
  case rollBack
  /// Answered by ``WorkerResponse/memories(_:)``: the memory of every worker served, by id.
  case gatherMemories
  /// Sets the memories of the workers served among these (a host ignores the others).
  case scatterMemories([WorkerMemory])
  /// Answered by ``WorkerResponse/memories(_:)``: each participant's compressor inputs in the last committed round.
  case gatherLastInputs
}

/// A worker host's answer to a ``WorkerCommand``.
public enum WorkerResponse: Sendable, Hashable {
  case done
  /// The participants this host serves, in request order.
  case replies([WorkerReply])
  case memories([WorkerMemory])
  case failed(WorkerFailure)
}
