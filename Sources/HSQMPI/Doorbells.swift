import CMPI

/// A doorbell for each rank on this machine: how a rank that has handed another a message wakes it.
///
/// A rank waiting for a message (``Communicator/waitIdly(_:_:)``) sleeps between polls of MPI. Timed
/// sleeps cost their length in latency twice a step (rank 0 hands the round to the worker ranks, and
/// they hand the answers back) and leave the wake-up to the scheduler's timer. With a doorbell the
/// sleep is on a counter in memory the machine's ranks share (an MPI shared window, Linux futexes),
/// and the sender rings it as soon as its part of the transfer has left, so the receiver wakes at once.
/// The timed sleeps stay as the fallback: a rank on another machine has no bell to ring, and a ring
/// that comes before its message can be received only wakes the waiter early.
///
/// Why it may be `Sendable`: the bells are read and written only by the C functions' atomic operations, and
/// `node` and `window` change only in ``free()``, which ``Communicator/finalize()`` calls once, holding its lock.
final class Doorbells: @unchecked Sendable {
  /// The machine's ranks (`MPI_COMM_TYPE_SHARED`) and the window holding their bells.
  private var node: MPI_Comm?
  private var window: MPI_Win?
  /// Each world rank's bell, or `nil` for ranks on other machines.
  private let bellOfRank: [UnsafeMutablePointer<UInt32>?]
  /// This rank's bell.
  private let own: UnsafeMutablePointer<UInt32>

  private static let bellStride = 64 / MemoryLayout<UInt32>.size

  /// The bells of the ranks on this machine (collective over the world); `nil` in a job of one rank or
  /// where a waiting thread cannot be woken through shared memory (not Linux).
  static func make(rank: Int, size: Int) throws(MPIError) -> Doorbells? {
    guard size > 1, hsq_doorbells_wake() != 0 else { return nil }
    var node: MPI_Comm?
    try Communicator.check(
      MPI_Comm_split_type(hsq_mpi_comm_world(), hsq_mpi_comm_type_shared(), 0, hsq_mpi_info_null(), &node), "MPI_Comm_split_type")
    var nodeRank: Int32 = 0
    var nodeSize: Int32 = 0
    try Communicator.check(MPI_Comm_rank(node, &nodeRank), "MPI_Comm_rank")
    try Communicator.check(MPI_Comm_size(node, &nodeSize), "MPI_Comm_size")
    var worldRank = Int32(rank)
    var worldRanks = [Int32](repeating: 0, count: Int(nodeSize))
    try Communicator.check(MPI_Allgather(&worldRank, 1, hsq_mpi_int(), &worldRanks, 1, hsq_mpi_int(), node), "MPI_Allgather")
    // One segment, on the machine's first rank, holding every bell.
    let bytes = nodeRank == 0 ? Int(nodeSize) * bellStride * MemoryLayout<UInt32>.size : 0
    var mine: UnsafeMutableRawPointer?
    var window: MPI_Win?
    try Communicator.check(
      MPI_Win_allocate_shared(MPI_Aint(bytes), 1, hsq_mpi_info_null(), node, &mine, &window), "MPI_Win_allocate_shared")
    var segmentSize: MPI_Aint = 0
    var unit: Int32 = 0
    var base: UnsafeMutableRawPointer?
    try Communicator.check(MPI_Win_shared_query(window, 0, &segmentSize, &unit, &base), "MPI_Win_shared_query")
    guard let base, Int(segmentSize) >= Int(nodeSize) * bellStride * MemoryLayout<UInt32>.size else {
      throw MPIError.frame("the shared window for the doorbells is missing or too small")
    }
    let bells = base.bindMemory(to: UInt32.self, capacity: Int(nodeSize) * bellStride)
    if nodeRank == 0 { bells.initialize(repeating: 0, count: Int(nodeSize) * bellStride) }
    try Communicator.check(MPI_Barrier(node), "MPI_Barrier")
    var bellOfRank = [UnsafeMutablePointer<UInt32>?](repeating: nil, count: size)
    for (index, owner) in worldRanks.enumerated() { bellOfRank[Int(owner)] = bells + index * bellStride }
    return Doorbells(node: node, window: window, bellOfRank: bellOfRank, own: bells + Int(nodeRank) * bellStride)
  }

  private init(node: MPI_Comm?, window: MPI_Win?, bellOfRank: [UnsafeMutablePointer<UInt32>?], own: UnsafeMutablePointer<UInt32>) {
    self.node = node
    self.window = window
    self.bellOfRank = bellOfRank
    self.own = own
  }

  /// This rank's bell's count, read before polling MPI: a wait with it returns at once after any later ring.
  var seen: UInt32 { hsq_doorbell_read(own) }

  /// Sleeps until this rank's bell is rung after it read `seen`, or `nanoseconds` pass.
  func wait(seen: UInt32, nanoseconds: Int) { hsq_doorbell_wait(own, seen, nanoseconds) }

  /// Whether `rank` is on this machine (it has a bell this rank can ring).
  func reaches(_ rank: Int) -> Bool { bellOfRank[rank] != nil }

  /// Wakes `rank` if it waits on its bell (nothing for a rank on another machine).
  func ring(_ rank: Int) {
    if let bell = bellOfRank[rank] { hsq_doorbell_ring(bell) }
  }

  /// Frees the window and the machine's communicator (collective; before `MPI_Finalize`).
  func free() throws(MPIError) {
    try Communicator.check(MPI_Win_free(&window), "MPI_Win_free")
    try Communicator.check(MPI_Comm_free(&node), "MPI_Comm_free")
  }
}
