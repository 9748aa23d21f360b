/// Where an experiment's workers run: the server's view of them.
///
/// The server (``Experiment``) sends each round's ``RoundRequest`` and gets back, per participant in
/// order, a ``WorkerReply`` carrying the payload bytes; it decodes and aggregates them itself. The
/// workers keep their error-feedback memories: a round leaves the new ones pending until the server
/// commits or discards it, so a step stays all or nothing.
///
/// Implementations: ``ThreadWorkerBackend`` (threads of this process), ``LoopbackWorkerBackend``
/// (the same through the byte encoding), and transports built on ``WorkerHost``.
public protocol WorkerBackend: AnyObject {
  /// The config changed, or the experiment began. Workers and memories are kept unless the dataset,
  /// model, partition, worker count or seed changed.
  func configure(_ environment: WorkerEnvironment) throws
  /// Runs the round on every participant; replies in `request.participants` order.
  ///
  /// Under error feedback every worker without a memory gets zeros first (participants or not).
  /// - Throws: the failure of the first failing participant in that order (``ExperimentStop/diverged(_:)`` for a non-finite loss).
  func run(_ request: RoundRequest) throws -> [WorkerReply]
  /// The server accepted the last round. With `keepingUndoPoint` the memories it replaces become the undo point.
  func commit(keepingUndoPoint: Bool) throws
  /// The server refused the last round: pending memories are dropped.
  func discard() throws
  /// A divergence: the memories go back to the undo point and the last round's inputs are forgotten.
  func rollBack() throws
  /// Every worker's memory, in worker order (gathered for a save).
  func memories() throws -> [WorkerMemory]
  /// Sets the workers' memories (scattered from a load).
  func setMemories(_ memories: [WorkerMemory]) throws
  /// The compressor inputs of the last committed round, per participant in order (for Monte Carlo checks).
  func lastInputs() throws -> [[[Float]]]
}

/// Every worker a thread of this process (the default): one ``WorkerHost`` called directly.
public final class ThreadWorkerBackend: WorkerBackend {
  let host: WorkerHost

  /// - Parameter threads: threads for the workers (`nil`: the config's `threads`).
  public init(threads: Int? = nil) { host = WorkerHost(placement: .all, threads: threads) }

  public func configure(_ environment: WorkerEnvironment) { host.configure(environment) }
  public func run(_ request: RoundRequest) throws -> [WorkerReply] { try host.run(request) }
  public func commit(keepingUndoPoint: Bool) { host.commit(keepingUndoPoint: keepingUndoPoint) }
  public func discard() { host.discard() }
  public func rollBack() { host.rollBack() }
  public func memories() -> [WorkerMemory] { host.memories() }
  public func setMemories(_ memories: [WorkerMemory]) throws { try host.setMemories(memories) }
  public func lastInputs() -> [[[Float]]] { host.lastInputs().map { $0.layers ?? [] } }
}

/// Every call encoded to bytes, handled by a ``WorkerHost`` that built its own environment from the
/// config, and the answer decoded: the threads backend through the wire format, as a transport runs it.
public final class LoopbackWorkerBackend: WorkerBackend {
  let host: WorkerHost
  /// Bytes sent to the host and received from it, over the backend's life.
  public private(set) var bytesSent = 0
  public private(set) var bytesReceived = 0

  public init(threads: Int? = nil) { host = WorkerHost(placement: .all, threads: threads) }

  /// Sends `command`'s bytes and decodes the answer; a worker failure is thrown as the server's error.
  private func send(_ command: WorkerCommand) throws -> WorkerResponse {
    let bytes = command.encoded()
    bytesSent += bytes.count
    let answer = host.handle(bytes)
    bytesReceived += answer.count
    let response = try WorkerResponse(decoding: answer)
    if case let .failed(failure) = response { throw failure.serverError }
    return response
  }

  private func expectDone(_ command: WorkerCommand) throws {
    guard case .done = try send(command) else { throw Self.unexpected(command) }
  }

  private func expectMemories(_ command: WorkerCommand) throws -> [WorkerMemory] {
    guard case let .memories(memories) = try send(command) else { throw Self.unexpected(command) }
    return memories
  }

  private static func unexpected(_ command: WorkerCommand) -> WorkerFailure {
    WorkerFailure(worker: nil, diverged: false, message: "The worker host answered '\(command.name)' with the wrong kind of response.")
  }

  public func configure(_ environment: WorkerEnvironment) throws { try expectDone(.configure(environment.config)) }

  public func run(_ request: RoundRequest) throws -> [WorkerReply] {
    guard case let .replies(replies) = try send(.round(request)) else { throw Self.unexpected(.round(request)) }
    return replies
  }

  public func commit(keepingUndoPoint: Bool) throws { try expectDone(.commit(keepingUndoPoint: keepingUndoPoint)) }
  public func discard() throws { try expectDone(.discard) }
  public func rollBack() throws { try expectDone(.rollBack) }
  public func memories() throws -> [WorkerMemory] { try expectMemories(.gatherMemories) }
  public func setMemories(_ memories: [WorkerMemory]) throws { try expectDone(.scatterMemories(memories)) }
  public func lastInputs() throws -> [[[Float]]] { try expectMemories(.gatherLastInputs).map { $0.layers ?? [] } }
}

extension WorkerCommand {
  /// The command's name for messages.
  var name: String {
    switch self {
    case .configure: return "configure"
    case .round: return "round"
    case .commit: return "commit"
    case .discard: return "discard"
    case .rollBack: return "roll back"
    case .gatherMemories: return "gather memories"
    case .scatterMemories: return "scatter memories"
    case .gatherLastInputs: return "gather last inputs"
    }
  }
}
