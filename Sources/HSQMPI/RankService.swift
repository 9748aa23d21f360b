import Dispatch
import Foundation
import HSQExperiments

/// What rank 0 asks the other ranks to do: the first byte of every broadcast it sends them.
///
/// Every command but ``shutdown`` is followed by the u32 (little-endian) id of the rank-0 backend it
/// is for: each experiment with `backend=mpi` has its own worker hosts on the ranks.
public enum RankCommand: UInt8, Sendable {
  /// Leave the serve loop and finalize.
  case shutdown = 0
  /// The rest of the broadcast is a ``WorkerCommand`` for the backend's ``WorkerHost``; answer in a gather.
  case worker = 1
  /// A scatter follows with each rank's own ``WorkerCommand`` (a load's memories); answer in a gather.
  case scatteredWorker = 2
  /// The backend is gone: drop its host (no answer).
  case release = 3
  /// A u8 (1: keep the undo point), then a ``WorkerCommand`` as for ``worker``: commit the last round
  /// first (rank 0 sends a step's commit with its next command).
  case committedWorker = 4

  /// The command byte and the backend id.
  func header(_ id: UInt32) -> [UInt8] { [rawValue] + withUnsafeBytes(of: id.littleEndian) { Array($0) } }
}

/// The loop the ranks other than 0 run: wait for rank 0's next broadcast and do what it says.
public enum RankService {
  /// Serves rank 0's commands until it broadcasts ``RankCommand/shutdown``.
  ///
  /// The rank hosts, for each of rank 0's MPI backends, the workers
  /// ``MPIWorkerBackend/placement(rank:size:)`` gives it, on `threads` threads (`nil`: the
  /// experiment's `threads` setting, or one per core).
  /// - Throws: ``MPIError`` when the transport fails or a command is malformed (the ranks run
  ///   different builds). A worker's own failure is not thrown: it goes back to rank 0 in the answer.
  public static func serve(_ world: Communicator, threads: Int? = nil) throws {
    guard let placement = MPIWorkerBackend.placement(rank: world.rank, size: world.size) else { return }
    var hosts: [UInt32: WorkerHost] = [:]
    while true {
      // Most commands are a round: the host's threads wake while its bytes arrive.
      let message = try world.broadcast([], root: 0, announced: expectParallelWork)
      guard let first = message.first, let command = RankCommand(rawValue: first) else {
        throw MPIError.frame("rank 0 sent \(message.isEmpty ? "an empty command" : "unknown command \(message[0])")")
      }
      if command == .shutdown { return }
      guard message.count >= 5 else { throw MPIError.frame("rank 0 sent a command without its backend id") }
      let id = (1..<5).reduce(UInt32(0)) { $0 | UInt32(message[$1]) << (8 * UInt32($1 - 1)) }
      // The command's frame: after the header in the broadcast (read in place), or scattered.
      let bytes: [UInt8], frameStart: Int
      switch command {
      case .shutdown: return
      case .release:
        hosts[id] = nil
        continue
      case .worker, .committedWorker: (bytes, frameStart) = (message, min(message.count, command == .worker ? 5 : 6))
      case .scatteredWorker: (bytes, frameStart) = (try world.scatter([], root: 0), 0)
      }
      let host = hosts[id] ?? WorkerHost(placement: placement, threads: threads)
      hosts[id] = host
      let start = DispatchTime.now().uptimeNanoseconds
      if command == .committedWorker {
        guard message.count >= 6 else { throw MPIError.frame("rank 0 sent a commit without its flag") }
        host.commit(keepingUndoPoint: message[5] != 0)
      }
      var answer = host.handle(bytes, from: frameStart, answeringAfter: RankAnswer.placeholder)
      RankAnswer.setSeconds(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, in: &answer)
      _ = try world.gather(answer, root: 0)
    }
  }

  /// Tells the other ranks to leave their serve loops (called on rank 0, once, before finalizing).
  public static func shutdown(_ world: Communicator) throws(MPIError) {
    precondition(world.rank == 0, "only rank 0 ends the serve loops")
    _ = try world.broadcast([RankCommand.shutdown.rawValue], root: 0)
  }

  /// Threads for a worker rank's hosts: the cores divided among the ranks on this machine that host
  /// workers (rank 0 only serves), so `mpirun -n 3` on 2 cores gives each worker rank one.
  public static func threadsPerRank(size: Int) -> Int {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let local = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap { Int($0) } ?? size
    return max(1, cores / max(1, local - 1))
  }
}
