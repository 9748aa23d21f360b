/// A failure of the MPI transport, as one sentence that names the problem and the fix.
public enum MPIError: Error, Equatable, Sendable, CustomStringConvertible {
  /// An MPI call returned `code`; `message` is Open MPI's own text for it (`MPI_Error_string`).
  case call(function: String, code: Int32, message: String)
  /// `MPI_Init_thread` granted less thread support than hsq needs.
  case threadSupport(granted: Int32)
  /// The communicator was used after ``Communicator/finalize()``.
  case finalized
  /// A rank outside `0..<size`.
  case rankOutOfRange(rank: Int, size: Int)
  /// A buffer larger than one MPI count (2³¹ − 1 bytes) can describe.
  case tooLarge(what: String, bytes: Int)
  /// A scatter given a number of parts different from the number of ranks.
  case partCount(parts: Int, ranks: Int)
  /// A size header that does not match the bytes that followed it.
  case frame(String)

  public var description: String {
    switch self {
    case let .call(function, code, message):
      return "MPI call '\(function)' failed with code \(code): \(message). Check the job (mpirun's messages name the rank that failed)."
    case let .threadSupport(granted):
      return "MPI granted thread level \(granted), below MPI_THREAD_SERIALIZED; use an Open MPI built with thread support."
    case .finalized:
      return "MPI was already finalized in this process; start a new job."
    case let .rankOutOfRange(rank, size):
      return "Rank \(rank) is outside this job's ranks 0..<\(size); start mpirun with more ranks (-n) or address a smaller rank."
    case let .tooLarge(what, bytes):
      return "\(what) of \(bytes) bytes exceeds the \(Int32.max)-byte limit of one MPI message; use fewer workers per rank or a smaller model."
    case let .partCount(parts, ranks):
      return "Scatter was given \(parts) parts for \(ranks) ranks; give exactly one part per rank."
    case let .frame(problem):
      return "A framed MPI message is malformed: \(problem). The ranks run different hsq builds or protocols; run the same binary everywhere."
    }
  }
}
