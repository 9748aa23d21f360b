import HSQCore

/// Which workers of an experiment a host serves.
public enum WorkerPlacement: Sendable, Hashable {
  /// Every worker (one process, the threads backend).
  case all
  /// Worker w when w mod `count` = `index` (e.g. MPI ranks taking workers round-robin).
  case roundRobin(index: Int, count: Int)

  public func serves(_ worker: Int) -> Bool {
    switch self {
    case .all: return true
    case let .roundRobin(index, count): return worker % count == index
    }
  }
}

/// The worker side of a process: the workers it serves, their environment, and the round protocol.
///
/// Typed calls (``run(_:)``, ``commit(keepingUndoPoint:)`` …) serve the threads backend; ``handle(_:)-(WorkerCommand)``
/// and ``handle(_:)-([UInt8])`` serve a transport, which hands it the bytes of a ``WorkerCommand`` and
/// sends back the bytes of the ``WorkerResponse``. Participants run concurrently on the host's threads
/// (each lane gets its own ``WorkerState``, which is `Sendable`); the host itself is driven by one
/// caller at a time, and is not `Sendable`, so the compiler keeps it to the thread that owns it.
public final class WorkerHost {
  public let placement: WorkerPlacement
  /// The environment in force; `nil` until the first configure.
  public private(set) var environment: WorkerEnvironment?
  /// Threads for the participants (`nil`: the config's `threads`).
  private let threads: Int?
  /// The workers served, by id (`nil` for the others).
  private var workers: [WorkerState?] = []
  /// The compressor inputs of the last round run and of the last committed round, per participant served.
  private var pendingInputs: [WorkerMemory] = []
  private var committedInputs: [WorkerMemory] = []

  public init(placement: WorkerPlacement = .all, threads: Int? = nil) {
    self.placement = placement
    self.threads = threads
  }

  /// Takes a new environment; the workers and their memories stay when it poses the same problem.
  public func configure(_ environment: WorkerEnvironment) {
    defer { self.environment = environment }
    if let old = self.environment, environment.config.posesSameProblem(as: old.config) { return }
    workers = environment.shards.indices.map { placement.serves($0) ? WorkerState(id: $0, shard: environment.shards[$0]) : nil }
    pendingInputs = []
    committedInputs = []
  }

  private var served: [WorkerState] { workers.compactMap { $0 } }

  /// Runs the participants this host serves, concurrently; replies in request order, the new memories pending.
  ///
  /// Under error feedback every worker served without a memory gets zeros first, participant or not (one shared array).
  /// - Throws: the error of the first failing participant in request order (its own error, unchanged).
  public func run(_ request: RoundRequest) throws -> [WorkerReply] {
    let results = try runCollecting(request)
    for result in results { if case let .failure(failure) = result { throw failure.error } }
    return results.map { try! $0.get() }
  }

  /// A participant's error, with the worker it belongs to.
  struct Failed: Error {
    let worker: Int
    let error: any Error
  }

  /// With `meanRaw` (a transport host), a host serving every participant sends the squared norms of the
  /// round's mean raw gradient in the first reply instead of each participant's raw frame
  /// (``WorkerReply/rawMeanNormsSquared``).
  private func runCollecting(_ request: RoundRequest, meanRaw: Bool = false) throws -> [Result<WorkerReply, Failed>] {
    guard let environment else { throw HSQError.invalidState("A worker host got a round before its config; send 'configure' first.") }
    discard()
    let layers = environment.model.layers
    guard request.parameters.count == layers.count, zip(request.parameters, layers).allSatisfy({ $0.count == $1.count }) else {
      throw HSQError.malformedPayload("The round's parameters do not have the shapes of '\(environment.config.model)' (\(layers.count) layers).")
    }
    if let bad = request.participants.first(where: { !workers.indices.contains($0) }) {
      throw HSQError.malformedPayload("The round names worker \(bad), but the experiment has \(workers.count) workers.")
    }
    if environment.config.errorFeedback, served.contains(where: { $0.memory == nil }) {
      // One array of zeros, shared until a worker's round writes its own (copy on write): a client that
      // never takes part costs nothing, however many there are (and once every worker has one, no round allocates it).
      let zeros = environment.model.zeroParameters()
      for worker in served where worker.memory == nil { worker.memory = zeros }
    }
    let mine = request.participants.compactMap { workers[$0] }
    let outcomes = try parallelMap(mine.count, threads: threads ?? environment.threadCount) { slot in
      let worker = mine[slot]
      return Result { try worker.run(request, in: environment) }.mapError { Failed(worker: worker.id, error: $0) }
    }
    if outcomes.contains(where: { if case .failure = $0 { true } else { false } }) {
      for worker in mine { worker.pendingMemory = nil }
      return outcomes.map { $0.map(\.reply) }
    }
    pendingInputs = outcomes.map { WorkerMemory(worker: try! $0.get().reply.worker, layers: try! $0.get().inputs) }
    var replies = outcomes.map { try! $0.get().reply }
    if meanRaw, request.sendsRaw, !replies.isEmpty, mine.count == request.participants.count {
      replies[0].rawMeanNormsSquared = Experiment.workerMean(replies.map { $0.raw! }, threads: threads ?? environment.threadCount)
        .map(Vec.squaredNorm)
      for i in replies.indices { replies[i].raw = nil }
    }
    return replies.map { .success($0) }
  }

  /// The server accepted the round: pending memories become the memories (after keeping the old ones as the undo point).
  public func commit(keepingUndoPoint: Bool) {
    for worker in served {
      if keepingUndoPoint { worker.undoMemory = worker.memory }
      if let pending = worker.pendingMemory {
        worker.memory = pending
        worker.pendingMemory = nil
      }
    }
    committedInputs = pendingInputs
    pendingInputs = []
  }

  /// The server refused the round: pending memories are dropped.
  public func discard() {
    for worker in served { worker.pendingMemory = nil }
    pendingInputs = []
  }

  /// A divergence: every memory goes back to the undo point; the last round's inputs are forgotten.
  public func rollBack() {
    discard()
    for worker in served { worker.memory = worker.undoMemory }
    committedInputs = []
  }

  /// The memory of every worker served, by ascending id.
  public func memories() -> [WorkerMemory] {
    served.map { WorkerMemory(worker: $0.id, layers: $0.memory) }
  }

  /// Sets the memories of the workers served among `memories`; the others are not this host's.
  public func setMemories(_ memories: [WorkerMemory]) throws {
    for m in memories {
      guard workers.indices.contains(m.worker) else {
        throw HSQError.malformedPayload("A memory names worker \(m.worker), but the experiment has \(workers.count) workers.")
      }
      guard let worker = workers[m.worker] else { continue }
      worker.memory = m.layers
      worker.pendingMemory = nil
    }
  }

  /// The compressor inputs of the last committed round, for the participants served, in request order.
  public func lastInputs() -> [WorkerMemory] { committedInputs }

  /// Carries out `command`; failures come back as ``WorkerResponse/failed(_:)``.
  public func handle(_ command: WorkerCommand) -> WorkerResponse {
    do {
      switch command {
      case let .configure(config):
        configure(try WorkerEnvironment(config: config, reusing: environment))
      case let .round(request):
        let results = try runCollecting(request, meanRaw: true)
        for result in results { if case let .failure(failure) = result { return .failed(WorkerFailure(failure.error, worker: failure.worker)) } }
        return .replies(results.map { try! $0.get() })
      case let .commit(keep): commit(keepingUndoPoint: keep)
      case .discard: discard()
      case .rollBack: rollBack()
      case .gatherMemories: return .memories(memories())
      case let .scatterMemories(memories): try setMemories(memories)
      case .gatherLastInputs: return .memories(lastInputs())
      }
      return .done
    } catch {
      return .failed(WorkerFailure(error, worker: nil))
    }
  }

  /// The bytes of a ``WorkerCommand`` (from byte `start` on) in, the bytes of the ``WorkerResponse`` out (after `prefix`,
  /// a transport's header).
  public func handle(_ bytes: [UInt8], from start: Int = 0, answeringAfter prefix: [UInt8] = []) -> [UInt8] {
    do {
      return handle(try WorkerCommand(decoding: bytes, from: start)).encoded(after: prefix)
    } catch {
      return WorkerResponse.failed(WorkerFailure(error, worker: nil)).encoded(after: prefix)
    }
  }
}
