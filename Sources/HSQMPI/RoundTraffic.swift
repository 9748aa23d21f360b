/// What one exchange between rank 0 and the worker ranks put on the wire, and how long it took.
///
/// Bytes are those rank 0 handed to MPI (``Traffic``): `bytesDown` counts a broadcast once per
/// receiving rank. `framingDown`/`framingUp` are the size headers and the per-rank timing trailer;
/// the rest is the encoded commands and replies (payloads, per-layer statistics, diagnostics).
public struct RoundTraffic: Sendable, Hashable {
  /// Bytes rank 0 sent to the worker ranks.
  public var bytesDown = 0
  /// Bytes rank 0 received from the worker ranks.
  public var bytesUp = 0
  /// The part of ``bytesDown`` that is framing.
  public var framingDown = 0
  /// The part of ``bytesUp`` that is framing.
  public var framingUp = 0
  /// Rank 0's wall time from sending the command to holding every answer.
  public var seconds = 0.0
  /// The longest any worker rank spent handling the command (its workers' compute and encode).
  public var slowestRankSeconds = 0.0

  public init() {}

  /// The time rank 0 waited on the wire rather than on the slowest worker rank.
  public var communicateSeconds: Double { max(0, seconds - slowestRankSeconds) }

  /// Adds `other` (several exchanges of one step).
  public mutating func add(_ other: RoundTraffic) {
    bytesDown += other.bytesDown
    bytesUp += other.bytesUp
    framingDown += other.framingDown
    framingUp += other.framingUp
    seconds += other.seconds
    slowestRankSeconds += other.slowestRankSeconds
  }
}
