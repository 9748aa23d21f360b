import CMPI
import Dispatch
#if canImport(Glibc)
  import Glibc
#endif

/// The size header of one buffer: a little-endian 64-bit count (8 bytes of framing).
let sizeHeaderBytes = MemoryLayout<Int64>.size

extension Communicator {
  /// Sends `bytes` from `root` to every rank; returns them on every rank.
  ///
  /// The size travels first (`MPI_Ibcast` of one 64-bit count, waited for idly), then the bytes (`MPI_Bcast`). Only the root's
  /// `bytes` are read; other ranks may pass `[]`. `announced` runs on the other ranks when the size has arrived, before the bytes.
  public func broadcast(_ bytes: [UInt8], root: Int = 0, announced: () -> Void = {}) throws(MPIError) -> [UInt8] {
    try checkRank(root)
    return try serialized { (traffic: inout Traffic) throws(MPIError) -> [UInt8] in
      let isRoot = rank == root
      var count = Int64(isRoot ? bytes.count : 0)
      // The size is where a rank waits for the next command: without spinning (``waitIdly(_:_:)``).
      var request: MPI_Request?
      try Self.check(MPI_Ibcast(&count, 1, hsq_mpi_int64(), Int32(root), hsq_mpi_comm_world(), &request), "MPI_Ibcast")
      try waitIdly(&request, "MPI_Ibcast")
      // The size has left the root: wake the ranks waiting for it.
      if isRoot { for other in 0..<size where other != rank { doorbells?.ring(other) } } else { announced() }
      let n = try Self.mpiCount(Int(count), "A broadcast")
      if isRoot {
        // The root's bytes are only read (MPI_Bcast takes a mutable pointer for every rank): sent without a copy.
        if n > 0 {
          let code = bytes.withUnsafeBytes { raw in
            MPI_Bcast(UnsafeMutableRawPointer(mutating: raw.baseAddress), n, hsq_mpi_byte(), Int32(root), hsq_mpi_comm_world())
          }
          try Self.check(code, "MPI_Bcast")
        }
        if size > 1 { traffic.sent(Int(n), framing: sizeHeaderBytes, messages: size - 1) }
        return bytes
      }
      // Every byte is written by the broadcast; when it fails, the buffer is dropped.
      var code = Int32(MPI_SUCCESS)
      let buffer = [UInt8](unsafeUninitializedCapacity: Int(n)) { out, initialized in
        if n > 0 { code = MPI_Bcast(out.baseAddress, n, hsq_mpi_byte(), Int32(root), hsq_mpi_comm_world()) }
        initialized = code == MPI_SUCCESS ? Int(n) : 0
      }
      try Self.check(code, "MPI_Bcast")
      traffic.received(Int(n), framing: sizeHeaderBytes)
      return buffer
    }
  }

  /// Collects one buffer of any size from every rank at `root`.
  ///
  /// - Returns: at the root, every rank's buffer in rank order (its own included); elsewhere `[]`.
  ///
  /// Sizes travel first (`MPI_Igather` of 64-bit counts, waited for idly), then the bytes (`MPI_Gatherv`).
  /// `announced` runs on the root when every size has arrived, before the bytes.
  public func gather(_ bytes: [UInt8], root: Int = 0, announced: () -> Void = {}) throws(MPIError) -> [[UInt8]] {
    try checkRank(root)
    return try serialized { (traffic: inout Traffic) throws(MPIError) -> [[UInt8]] in
      let isRoot = rank == root
      let mine = try Self.mpiCount(bytes.count, "A gathered buffer")
      var ownCount = Int64(mine)
      var counts64 = [Int64](repeating: 0, count: isRoot ? size : 0)
      // The sizes are where the root waits for the slowest rank: without spinning (``waitIdly(_:_:)``).
      var request: MPI_Request?
      try Self.check(
        MPI_Igather(&ownCount, 1, hsq_mpi_int64(), &counts64, 1, hsq_mpi_int64(), Int32(root), hsq_mpi_comm_world(), &request),
        "MPI_Igather")
      try waitIdly(&request, "MPI_Igather")
      guard isRoot else {
        // This rank's size has left: wake the root if it waits for it.
        doorbells?.ring(root)
        // Only read (MPI takes a mutable pointer): sent without a copy.
        let code = bytes.withUnsafeBytes { raw in
          MPI_Gatherv(UnsafeMutableRawPointer(mutating: raw.baseAddress), mine, hsq_mpi_byte(), nil, nil, nil, hsq_mpi_byte(), Int32(root), hsq_mpi_comm_world())
        }
        try Self.check(code, "MPI_Gatherv")
        traffic.sent(bytes.count, framing: sizeHeaderBytes)
        return []
      }
      announced()
      let (counts, displacements, total) = try Self.layout(counts64, "The gathered buffers")
      // The counts cover every byte of `all` (each rank's own included), so the gather writes it all; when it fails, the buffer is dropped.
      var code = Int32(MPI_SUCCESS)
      let all = [UInt8](unsafeUninitializedCapacity: total) { out, initialized in
        code = bytes.withUnsafeBytes { send in
          MPI_Gatherv(
            UnsafeMutableRawPointer(mutating: send.baseAddress), mine, hsq_mpi_byte(), out.baseAddress, counts, displacements, hsq_mpi_byte(),
            Int32(root), hsq_mpi_comm_world())
        }
        initialized = code == MPI_SUCCESS ? total : 0
      }
      try Self.check(code, "MPI_Gatherv")
      for r in 0..<size where r != rank { traffic.received(Int(counts[r]), framing: sizeHeaderBytes) }
      return (0..<size).map { Array(all[Int(displacements[$0])..<Int(displacements[$0] + counts[$0])]) }
    }
  }

  /// Hands `parts[r]` from `root` to rank `r`; returns this rank's part.
  ///
  /// Only the root's `parts` are read (exactly one per rank, any sizes); other ranks pass `[]`.
  /// Sizes travel first (`MPI_Scatter`), then the bytes (`MPI_Scatterv`).
  public func scatter(_ parts: [[UInt8]], root: Int = 0) throws(MPIError) -> [UInt8] {
    try checkRank(root)
    let isRoot = rank == root
    if isRoot, parts.count != size { throw MPIError.partCount(parts: parts.count, ranks: size) }
    return try serialized { (traffic: inout Traffic) throws(MPIError) -> [UInt8] in
      var counts64 = isRoot ? parts.map { Int64($0.count) } : []
      var own: Int64 = 0
      try Self.check(
        MPI_Scatter(&counts64, 1, hsq_mpi_int64(), &own, 1, hsq_mpi_int64(), Int32(root), hsq_mpi_comm_world()),
        "MPI_Scatter")
      let n = try Self.mpiCount(Int(own), "A scattered part")
      var received = [UInt8](repeating: 0, count: Int(n))
      guard isRoot else {
        try Self.check(
          MPI_Scatterv(nil, nil, nil, hsq_mpi_byte(), &received, n, hsq_mpi_byte(), Int32(root), hsq_mpi_comm_world()),
          "MPI_Scatterv")
        traffic.received(Int(n), framing: sizeHeaderBytes)
        return received
      }
      let (counts, displacements, _) = try Self.layout(counts64, "The scattered parts")
      var all = parts.flatMap { $0 }
      try Self.check(
        MPI_Scatterv(&all, counts, displacements, hsq_mpi_byte(), &received, n, hsq_mpi_byte(), Int32(root), hsq_mpi_comm_world()),
        "MPI_Scatterv")
      for r in 0..<size where r != rank { traffic.sent(Int(counts[r]), framing: sizeHeaderBytes) }
      return received
    }
  }

  /// How long ``waitIdly(_:_:)`` polls before it starts sleeping, and its longest sleep (nanoseconds).
  static let spinNanoseconds: UInt64 = 20_000
  static let longestSleepNanoseconds = 100_000

  /// Completes `request`: polls it (`MPI_Test`) for ``spinNanoseconds``, then between polls sleeps
  /// 4 µs, doubling up to ``longestSleepNanoseconds`` (with a 1 µs timer slack, so the sleeps last what they ask),
  /// or until a rank on this machine rings this rank's doorbell (``Doorbells``).
  ///
  /// A rank waiting for the next command, or rank 0 waiting for its workers, would otherwise spin in
  /// MPI's progress loop and take a core from the ranks doing the work (`mpi_yield_when_idle`, which
  /// ``world()`` turns on for the short blocking transfers, only yields: a long wait still burns a core).
  /// A wait for a rank on this machine ends when the rank rings; for one on another machine it costs at most
  /// the last sleep in latency.
  func waitIdly(_ request: inout MPI_Request?, _ function: String) throws(MPIError) {
    var done: Int32 = 0
    let start = DispatchTime.now().uptimeNanoseconds
    var sleep = 4_000
    while true {
      let seen = doorbells?.seen ?? 0
      try Self.check(MPI_Test(&request, &done, hsq_mpi_status_ignore()), function)
      if done != 0 { return }
      if DispatchTime.now().uptimeNanoseconds - start < Self.spinNanoseconds { continue }
      if sleep == 4_000 { hsq_set_timer_slack(1_000) }
      if let doorbells {
        doorbells.wait(seen: seen, nanoseconds: sleep)
      } else {
        var pause = timespec(tv_sec: 0, tv_nsec: sleep)
        nanosleep(&pause, nil)
      }
      sleep = min(2 * sleep, Self.longestSleepNanoseconds)
    }
  }

  /// MPI counts and displacements for buffers of `sizes` bytes laid end to end, and their total.
  static func layout(_ sizes: [Int64], _ what: String) throws(MPIError) -> (counts: [Int32], displacements: [Int32], total: Int) {
    var counts = [Int32]()
    var displacements = [Int32]()
    var offset = 0
    for s in sizes {
      guard s >= 0 else { throw MPIError.frame("a negative size \(s)") }
      counts.append(try mpiCount(Int(s), what))
      displacements.append(try mpiCount(offset, what))
      offset += Int(s)
    }
    _ = try mpiCount(offset, what)
    return (counts, displacements, offset)
  }
}
