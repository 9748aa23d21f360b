/// What rank 0 asks the other ranks to do: the first byte of every broadcast it sends them.
public enum RankCommand: UInt8, Sendable {
  /// Leave the serve loop and finalize.
  case shutdown = 0
}

/// The loop the ranks other than 0 run: wait for rank 0's next broadcast and do what it says.
public enum RankService {
  /// Serves rank 0's commands until it broadcasts ``RankCommand/shutdown``.
  ///
  /// - Throws: ``MPIError`` when the transport fails or a command byte is unknown (the ranks run
  ///   different builds).
  public static func serve(_ world: Communicator) throws(MPIError) {
    while true {
      let message = try world.broadcast([], root: 0)
      guard let first = message.first, let command = RankCommand(rawValue: first) else {
        throw MPIError.frame("rank 0 sent \(message.isEmpty ? "an empty command" : "unknown command \(message[0])")")
      }
      switch command {
      case .shutdown: return
      }
    }
  }

  /// Tells the other ranks to leave their serve loops (called on rank 0, once, before finalizing).
  public static func shutdown(_ world: Communicator) throws(MPIError) {
    precondition(world.rank == 0, "only rank 0 ends the serve loops")
    _ = try world.broadcast([RankCommand.shutdown.rawValue], root: 0)
  }
}
