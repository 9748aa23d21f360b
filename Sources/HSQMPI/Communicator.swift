import CMPI
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Synchronization

/// The ranks of one MPI job (`MPI_COMM_WORLD`), with typed byte-buffer operations.
///
/// ```swift
/// let world = try Communicator.world()          // MPI_Init_thread on first use
/// let request = try world.broadcast(world.rank == 0 ? bytes : [], root: 0)
/// let replies = try world.gather(reply, root: 0) // rank 0: one buffer per rank, in rank order
/// try world.finalize()
/// ```
///
/// A binary started without `mpirun` is a job of one rank. Every operation moves `[UInt8]`; sizes
/// travel first, so buffers may differ in size between ranks. Calls are serialized by a lock (the
/// job asks for `MPI_THREAD_SERIALIZED`), errors are returned by MPI (`MPI_ERRORS_RETURN`) and
/// thrown as ``MPIError``, and every byte handed to MPI is counted in ``traffic``.
public final class Communicator: Sendable {
  /// This process's rank in `0..<size`.
  public let rank: Int
  /// The number of ranks in the job.
  public let size: Int
  /// How a rank wakes another on this machine that waits for its message (`nil`: one rank, or not Linux).
  let doorbells: Doorbells?

  private struct State {
    var traffic = Traffic()
    var finalized = false
  }
  /// Guards the MPI calls (one at a time, as MPI_THREAD_SERIALIZED requires) and the counters.
  private let state = Mutex(State())

  private static let shared = Mutex<Communicator?>(nil)

  private init(rank: Int, size: Int, doorbells: Doorbells?) {
    self.rank = rank
    self.size = size
    self.doorbells = doorbells
  }

  /// The job's communicator; the first call initializes MPI (`MPI_Init_thread`).
  ///
  /// - Throws: ``MPIError/call(function:code:message:)`` when MPI cannot start, ``MPIError/finalized``
  ///   after ``finalize()`` (MPI cannot be started twice in one process).
  public static func world() throws(MPIError) -> Communicator {
    try shared.withLock { (current: inout Communicator?) throws(MPIError) -> Communicator in
      if let current { return current }
      var finalized: Int32 = 0
      MPI_Finalized(&finalized)
      if finalized != 0 { throw MPIError.finalized }
      // Blocking MPI calls (the bytes of a broadcast or a gather) spin until the other ranks take part. Sharing
      // cores — with other jobs, or 2 ranks and their worker threads on 2 cores — a spinning rank keeps from its
      // core the very rank it waits for, for a whole time slice (measured: steps of 11–12 ms instead of 6–7 in
      // one run in two at 2 ranks on 2 busy cores). Open MPI yields in that loop when it counts the node
      // oversubscribed; ask for it always. A setting the user gave (environment or mpirun --mca) wins.
      setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0)
      var provided: Int32 = 0
      try check(MPI_Init_thread(nil, nil, Int32(MPI_THREAD_SERIALIZED), &provided), "MPI_Init_thread")
      guard provided >= Int32(MPI_THREAD_SERIALIZED) else { throw MPIError.threadSupport(granted: provided) }
      try check(MPI_Comm_set_errhandler(hsq_mpi_comm_world(), hsq_mpi_errors_return()), "MPI_Comm_set_errhandler")
      var rank: Int32 = 0
      var size: Int32 = 0
      try check(MPI_Comm_rank(hsq_mpi_comm_world(), &rank), "MPI_Comm_rank")
      try check(MPI_Comm_size(hsq_mpi_comm_world(), &size), "MPI_Comm_size")
      let world = Communicator(rank: Int(rank), size: Int(size), doorbells: try Doorbells.make(rank: Int(rank), size: Int(size)))
      current = world
      return world
    }
  }

  /// Everything this rank has handed to MPI and received from it so far.
  public var traffic: Traffic { state.withLock { $0.traffic } }

  /// Waits until every rank has called `barrier()`.
  public func barrier() throws(MPIError) {
    try serialized { (_: inout Traffic) throws(MPIError) in
      try Self.check(MPI_Barrier(hsq_mpi_comm_world()), "MPI_Barrier")
    }
  }

  /// Ends MPI in this process; every rank must call it before exiting normally. A second call does nothing.
  public func finalize() throws(MPIError) {
    try state.withLock { (state: inout State) throws(MPIError) in
      if state.finalized { return }
      state.finalized = true
      try doorbells?.free()
      try Self.check(MPI_Finalize(), "MPI_Finalize")
    }
  }

  /// Prints `message` on standard error, prefixed with this rank, and ends the whole job with `code`.
  ///
  /// Works from any rank; mpirun then stops every other rank and exits non-zero.
  public func abort(_ message: String, code: Int32 = 1) -> Never {
    writeStandardError("hsq-mpi rank \(rank): \(message)\n")
    MPI_Abort(hsq_mpi_comm_world(), code)
    fatalError("MPI_Abort returned")
  }

  /// Runs `body` holding the MPI lock, after checking MPI is still running; `body` counts its traffic.
  func serialized<T>(_ body: (inout Traffic) throws(MPIError) -> T) throws(MPIError) -> T {
    try state.withLock { (state: inout State) throws(MPIError) -> T in
      if state.finalized { throw MPIError.finalized }
      return try body(&state.traffic)
    }
  }

  /// Throws when `rank` is not a rank of this job.
  func checkRank(_ rank: Int) throws(MPIError) {
    guard (0..<size).contains(rank) else { throw MPIError.rankOutOfRange(rank: rank, size: size) }
  }

  /// Throws ``MPIError/call(function:code:message:)`` unless `code` is `MPI_SUCCESS`.
  static func check(_ code: Int32, _ function: String) throws(MPIError) {
    guard code != MPI_SUCCESS else { return }
    var text = [CChar](repeating: 0, count: Int(hsq_mpi_max_error_string()) + 1)
    var length: Int32 = 0
    let message = MPI_Error_string(code, &text, &length) == MPI_SUCCESS
      ? String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
      : "unknown error"
    throw MPIError.call(function: function, code: code, message: message)
  }

  /// `count` as an MPI count, or ``MPIError/tooLarge(what:bytes:)``.
  static func mpiCount(_ count: Int, _ what: String) throws(MPIError) -> Int32 {
    guard let n = Int32(exactly: count) else { throw MPIError.tooLarge(what: what, bytes: count) }
    return n
  }
}

/// Writes `text` to standard error unbuffered (a rank may be ended right after).
func writeStandardError(_ text: String) {
  var bytes = Array(text.utf8)
  _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}
