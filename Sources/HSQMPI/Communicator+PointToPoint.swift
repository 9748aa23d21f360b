import CMPI

/// A buffer received from one rank.
public struct Message: Sendable, Hashable {
  /// The rank that sent it.
  public var source: Int
  /// The tag it was sent with.
  public var tag: Int
  /// The bytes.
  public var bytes: [UInt8]
}

extension Communicator {
  /// Sends `bytes` to rank `destination` with `tag` (blocking until the buffer may be reused).
  public func send(_ bytes: [UInt8], to destination: Int, tag: Int = 0) throws(MPIError) {
    try checkRank(destination)
    try serialized { (traffic: inout Traffic) throws(MPIError) in
      let n = try Self.mpiCount(bytes.count, "A sent buffer")
      var buffer = bytes
      try Self.check(MPI_Send(&buffer, n, hsq_mpi_byte(), Int32(destination), Int32(tag), hsq_mpi_comm_world()), "MPI_Send")
      traffic.sent(bytes.count)
    }
  }

  /// Receives the next buffer from `source` (any rank when `nil`) with `tag` (any tag when `nil`).
  ///
  /// The message's envelope carries its size (`MPI_Probe`, `MPI_Get_count`), so no size header travels.
  public func receive(from source: Int? = nil, tag: Int? = nil) throws(MPIError) -> Message {
    if let source { try checkRank(source) }
    return try serialized { (traffic: inout Traffic) throws(MPIError) -> Message in
      let from = source.map { Int32($0) } ?? Int32(hsq_mpi_any_source())
      let matching = tag.map { Int32($0) } ?? Int32(MPI_ANY_TAG)
      var status = MPI_Status()
      try Self.check(MPI_Probe(from, matching, hsq_mpi_comm_world(), &status), "MPI_Probe")
      var count: Int32 = 0
      try Self.check(MPI_Get_count(&status, hsq_mpi_byte(), &count), "MPI_Get_count")
      var buffer = [UInt8](repeating: 0, count: Int(count))
      try Self.check(
        MPI_Recv(&buffer, count, hsq_mpi_byte(), status.MPI_SOURCE, status.MPI_TAG, hsq_mpi_comm_world(), hsq_mpi_status_ignore()),
        "MPI_Recv")
      traffic.received(Int(count))
      return Message(source: Int(status.MPI_SOURCE), tag: Int(status.MPI_TAG), bytes: buffer)
    }
  }
}
