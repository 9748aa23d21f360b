import Synchronization
import Dispatch
import HSQExperiments

/// An experiment's workers on the ranks of an MPI job: the server (rank 0) side of `backend=mpi`.
///
/// Worker `w` runs on rank `1 + w mod (size − 1)`; rank 0 is the server only, so every payload
/// crosses the wire. Each command is broadcast from rank 0 (a round's request carries the
/// participants and the parameters), every worker rank answers with its host's response in one
/// gather, and rank 0 merges the answers in the order the threads backend gives them: replies in
/// participant order, memories by worker id. A load scatters each rank only its own workers' memories.
/// In a job of one rank every worker is local (a ``WorkerHost`` called directly).
///
/// Records are bit-identical to ``ThreadWorkerBackend``'s: the same code runs the same workers on the
/// same shards (each rank builds its environment from the config: it reads the dataset itself and
/// computes the partition from the seed), and the server decodes and aggregates the same payload
/// bytes in the same order.
public final class MPIWorkerBackend: WorkerBackend {
  let world: Communicator
  /// Which of rank 0's backends a command is for (each experiment has its own hosts on the ranks).
  let id: UInt32
  /// Every worker, in a job of one rank.
  private let local: WorkerHost?
  /// The participants of the last round run, and of the last one committed (for ``lastInputs()``).
  private var pendingParticipants: [Int] = []
  private var committedParticipants: [Int] = []
  /// What the exchanges since the last ``takeWireRecord()`` moved and how long they took (the processes are set when taken).
  private var wire = MPIWorkerBackend.noWire
  private static let noWire = WireRecord(
    bytesDown: 0, bytesUp: 0, payloadBytesUp: 0, diagnosticBytesUp: 0, processes: 0, exchangeSeconds: 0, slowestWorkerSeconds: 0)

  private static let nextID = Mutex<UInt32>(0)

  /// A backend on rank 0 of `world`, with its own worker hosts on the other ranks.
  public init(world: Communicator) {
    precondition(world.rank == 0, "the MPI backend's server side runs on rank 0")
    self.world = world
    id = Self.nextID.withLock { value in
      value += 1
      return value
    }
    local = world.size == 1 ? WorkerHost(placement: .all) : nil
  }

  deinit {
    // The ranks drop this backend's hosts (their workers and memories).
    if local == nil { _ = try? world.broadcast(RankCommand.release.header(id), root: 0) }
  }

  /// The workers rank `rank` of a job of `size` ranks hosts: round-robin over ranks 1..<size (`nil`: none, rank 0).
  public static func placement(rank: Int, size: Int) -> WorkerPlacement? {
    if size == 1 { return .all }
    return rank == 0 ? nil : .roundRobin(index: rank - 1, count: size - 1)
  }

  /// The rank that runs worker `worker` in a job of `size` ranks.
  public static func rank(of worker: Int, size: Int) -> Int { size == 1 ? 0 : 1 + worker % (size - 1) }

  // MARK: - WorkerBackend

  public func configure(_ environment: WorkerEnvironment) throws {
    if let local { return local.configure(environment) }
    try expectDone(.configure(environment.config))
  }

  public func run(_ request: RoundRequest) throws -> [WorkerReply] {
    pendingParticipants = request.participants
    if let local { return try local.run(request) }
    var byWorker: [Int: WorkerReply] = [:]
    var failures: [(rank: Int, failure: WorkerFailure)] = []
    for (rank, response) in try exchange(.round(request)) {
      switch response {
      case let .replies(replies): for reply in replies { byWorker[reply.worker] = reply }
      case let .failed(failure): failures.append((rank, failure))
      default: throw Self.unexpected("round", rank: rank)
      }
    }
    if let first = Self.firstFailure(failures, order: request.participants) { throw first }
    let replies = try request.participants.map { worker in
      guard let reply = byWorker[worker] else {
        throw WorkerFailure(worker: worker, diverged: false,
                            message: "Rank \(Self.rank(of: worker, size: world.size)) did not answer for worker \(worker); run the same hsq-mpi on every rank.")
      }
      return reply
    }
    wire.payloadBytesUp += replies.reduce(0) { $0 + $1.payloadByteCount }
    wire.diagnosticBytesUp += replies.reduce(0) { $0 + $1.diagnosticByteCount }
    return replies
  }

  /// A commit the ranks have not been sent yet: it travels in front of the next command
  /// (``RankCommand/committedWorker``), which saves a step a round trip of its own.
  private var deferredCommit: Bool?

  /// Commits the round: at once in a job of one rank, else with the next command to the ranks (a commit
  /// cannot fail on a rank, and every later command, a save's gather too, sees the memories committed).
  public func commit(keepingUndoPoint: Bool) throws {
    if let local { local.commit(keepingUndoPoint: keepingUndoPoint) } else { deferredCommit = keepingUndoPoint }
    committedParticipants = pendingParticipants
  }

  public func discard() throws {
    if let local { return local.discard() }
    try expectDone(.discard)
  }

  public func rollBack() throws {
    committedParticipants = []
    if let local { return local.rollBack() }
    try expectDone(.rollBack)
  }

  /// Gathers every rank's memories to rank 0, in worker order.
  public func memories() throws -> [WorkerMemory] {
    if let local { return local.memories() }
    return try expectMemories(.gatherMemories).sorted { $0.worker < $1.worker }
  }

  /// Scatters the memories: each rank receives only its own workers'.
  public func setMemories(_ memories: [WorkerMemory]) throws {
    if let local { return try local.setMemories(memories) }
    let parts = (0..<world.size).map { rank in
      rank == 0 ? [] : WorkerCommand.scatterMemories(memories.filter { Self.rank(of: $0.worker, size: world.size) == rank }).encoded()
    }
    for (rank, response) in try exchange(scattering: parts) {
      if case let .failed(failure) = response { throw Self.named(failure, rank: rank) }
      guard case .done = response else { throw Self.unexpected("scatter memories", rank: rank) }
    }
  }

  public func lastInputs() throws -> [[[Float]]] {
    if let local { return local.lastInputs().map { $0.layers ?? [] } }
    let inputs = try expectMemories(.gatherLastInputs)
    let byWorker = Dictionary(inputs.map { ($0.worker, $0.layers ?? []) }, uniquingKeysWith: { first, _ in first })
    return committedParticipants.compactMap { byWorker[$0] }
  }

  public func takeWireRecord() -> WireRecord? {
    defer { wire = Self.noWire }
    var taken = wire
    taken.processes = world.size == 1 ? 1 : world.size - 1
    return taken
  }

  // MARK: - Exchanges

  /// Broadcasts `command` (after the deferred commit, when there is one) and gathers every worker
  /// rank's response (rank order, rank 0 left out).
  private func exchange(_ command: WorkerCommand) throws -> [(rank: Int, response: WorkerResponse)] {
    let header = deferredCommit.map { RankCommand.committedWorker.header(id) + [$0 ? 1 : 0] } ?? RankCommand.worker.header(id)
    deferredCommit = nil
    return try measured {
      _ = try world.broadcast(command.encoded(after: header), root: 0)
    }
  }

  /// Sends `parts[r]` to rank `r` (a scatter announced by a broadcast) and gathers the responses.
  private func exchange(scattering parts: [[UInt8]]) throws -> [(rank: Int, response: WorkerResponse)] {
    if let keep = deferredCommit {
      deferredCommit = nil
      try expectDone(.commit(keepingUndoPoint: keep))
    }
    return try measured {
      _ = try world.broadcast(RankCommand.scatteredWorker.header(id), root: 0)
      _ = try world.scatter(parts, root: 0)
    }
  }

  /// Runs `send`, gathers the answers, and adds the exchange to ``wire``: the bytes handed to MPI
  /// (``Traffic``, a broadcast counted once per receiving rank), rank 0's time from sending to holding
  /// every answer, and the longest any worker rank spent handling the command.
  private func measured(_ send: () throws -> Void) throws -> [(rank: Int, response: WorkerResponse)] {
    let before = world.traffic
    let start = DispatchTime.now().uptimeNanoseconds
    try send()
    // The server's threads (decoding the answers, then the server pass) wake while the answers' bytes arrive.
    let answers = try world.gather([], root: 0, announced: expectParallelWork)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    var slowest = 0.0
    var responses: [(rank: Int, response: WorkerResponse)] = []
    for rank in 1..<world.size {
      let busy = try RankAnswer.seconds(answers[rank], rank: rank)
      slowest = max(slowest, busy)
      responses.append((rank, try WorkerResponse(decoding: answers[rank], from: RankAnswer.timingBytes)))
    }
    let moved = world.traffic.since(before)
    wire.bytesDown += moved.bytesSent
    wire.bytesUp += moved.bytesReceived
    wire.exchangeSeconds += seconds
    wire.slowestWorkerSeconds += slowest
    return responses
  }

  private func expectDone(_ command: WorkerCommand) throws {
    for (rank, response) in try exchange(command) {
      if case let .failed(failure) = response { throw Self.named(failure, rank: rank) }
      guard case .done = response else { throw Self.unexpected(command.name, rank: rank) }
    }
  }

  private func expectMemories(_ command: WorkerCommand) throws -> [WorkerMemory] {
    var all: [WorkerMemory] = []
    for (rank, response) in try exchange(command) {
      switch response {
      case let .memories(memories): all += memories
      case let .failed(failure): throw Self.named(failure, rank: rank)
      default: throw Self.unexpected(command.name, rank: rank)
      }
    }
    return all
  }

  /// The failure of the participant earliest in `order` (a failure without a worker first), as the server's error.
  static func firstFailure(_ failures: [(rank: Int, failure: WorkerFailure)], order: [Int]) -> (any Error)? {
    let position = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    let first = failures.min { a, b in
      (a.failure.worker.flatMap { position[$0] } ?? -1, a.rank) < (b.failure.worker.flatMap { position[$0] } ?? -1, b.rank)
    }
    guard let first else { return nil }
    return named(first.failure, rank: first.rank)
  }

  /// A failure that is not one worker's (the rank's environment, a malformed command) names the rank.
  static func named(_ failure: WorkerFailure, rank: Int) -> any Error {
    guard failure.worker == nil, !failure.diverged else { return failure.serverError }
    return WorkerFailure(worker: nil, diverged: false, message: "Rank \(rank): \(failure.message)")
  }

  static func unexpected(_ command: String, rank: Int) -> WorkerFailure {
    WorkerFailure(worker: nil, diverged: false, message: "Rank \(rank) answered '\(command)' with the wrong kind of response; run the same hsq-mpi on every rank.")
  }
}

/// A worker rank's answer: the seconds it spent (f64, little-endian), then the ``WorkerResponse`` bytes.
///
/// The rank encodes its response after ``placeholder`` and then writes the seconds over it, and rank 0
/// decodes the response in place after them: the answer is never copied to add or remove its timing.
enum RankAnswer {
  static let timingBytes = 8
  static let placeholder = [UInt8](repeating: 0, count: timingBytes)

  /// Writes `seconds` over the first ``timingBytes`` of `answer` (which start with ``placeholder``).
  static func setSeconds(_ seconds: Double, in answer: inout [UInt8]) {
    precondition(answer.count >= timingBytes, "a rank's answer starts with its timing")
    let bits = seconds.bitPattern
    for i in 0..<timingBytes { answer[i] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i))) }
  }

  /// The seconds rank `rank` spent, from its answer; the response follows them.
  static func seconds(_ answer: [UInt8], rank: Int) throws -> Double {
    guard answer.count >= timingBytes else {
      throw MPIError.frame("rank \(rank) answered \(answer.count) bytes, fewer than its \(timingBytes)-byte timing")
    }
    var bits: UInt64 = 0
    for i in 0..<timingBytes { bits |= UInt64(answer[i]) << (8 * UInt64(i)) }
    return Double(bitPattern: bits)
  }
}
