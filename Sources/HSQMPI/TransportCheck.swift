import Foundation

/// A self-test of the job's transport: `mpirun -n K hsq-mpi transport-check`.
///
/// Every rank takes part in broadcasts, a gather and a scatter of buffers of different sizes (empty
/// ones too), and a ring of point-to-point messages; each rank checks every byte it received against
/// the pattern the sender wrote. Rank 0 then reports, as one JSON line, whether every rank received
/// what was sent, its own ``Traffic``, the job's total bytes sent and received (equal when nothing was
/// lost or counted twice), how many ranks heard rank 0 ring their doorbell (``Doorbells``: the ranks on
/// rank 0's machine, on Linux), and how long a 1 MiB broadcast took. Use it to check a hostfile set-up
/// before a long run.
public enum TransportCheck {
  /// The broadcast sizes, in bytes.
  public static let broadcastSizes = [0, 1, 4099, (1 << 20) + 3]

  /// The bytes rank `rank` contributes to the gather.
  public static func gatherSize(rank: Int) -> Int { rank * 1237 + (rank % 2 == 1 ? 65536 : 0) }

  /// The bytes the root scatters to rank `rank` of `size`.
  public static func scatterSize(rank: Int, size: Int) -> Int { (size - rank - 1) * 513 }

  /// The bytes rank `rank` sends to the next rank in the ring.
  public static func ringSize(rank: Int) -> Int { 100 + 3 * rank }

  /// Byte `index` of a buffer written by rank `rank` for check part `part`.
  static func pattern(_ rank: Int, _ part: Int, _ index: Int) -> UInt8 {
    UInt8(truncatingIfNeeded: rank &* 131 &+ part &* 17 &+ index &* 7 &+ 11)
  }

  static func buffer(_ rank: Int, _ part: Int, count: Int) -> [UInt8] {
    (0..<count).map { pattern(rank, part, $0) }
  }

  /// Runs the check on every rank; returns the JSON report on rank 0 and `nil` elsewhere.
  public static func run(_ world: Communicator) throws(MPIError) -> String? {
    var failures: [String] = []
    func expect(_ bytes: [UInt8], from rank: Int, part: Int, count: Int, _ what: String) {
      if bytes != buffer(rank, part, count: count) {
        failures.append("rank \(world.rank): \(what) from rank \(rank) (\(bytes.count) bytes, expected \(count))")
      }
    }
    try world.barrier()
    var oneMiBSeconds = 0.0
    for (part, count) in broadcastSizes.enumerated() {
      let sent = world.rank == 0 ? buffer(0, part, count: count) : []
      let start = Date()
      let got = try world.broadcast(sent, root: 0)
      if count == (1 << 20) + 3 { oneMiBSeconds = Date().timeIntervalSince(start) }
      expect(got, from: 0, part: part, count: count, "broadcast of \(count) bytes")
    }
    let gathered = try world.gather(buffer(world.rank, 10, count: gatherSize(rank: world.rank)), root: 0)
    for (r, bytes) in gathered.enumerated() { expect(bytes, from: r, part: 10, count: gatherSize(rank: r), "gather") }
    let parts = world.rank == 0 ? (0..<world.size).map { buffer($0, 20, count: scatterSize(rank: $0, size: world.size)) } : []
    let mine = try world.scatter(parts, root: 0)
    expect(mine, from: world.rank, part: 20, count: scatterSize(rank: world.rank, size: world.size), "scatter")
    if world.size > 1 {
      let next = (world.rank + 1) % world.size, previous = (world.rank + world.size - 1) % world.size
      // Even ranks send first, odd ranks receive first, so the blocking ring cannot deadlock.
      if world.rank % 2 == 0 {
        try world.send(buffer(world.rank, 30, count: ringSize(rank: world.rank)), to: next, tag: 30)
      }
      let message = try world.receive(from: previous, tag: 30)
      if world.rank % 2 == 1 {
        try world.send(buffer(world.rank, 30, count: ringSize(rank: world.rank)), to: next, tag: 30)
      }
      expect(message.bytes, from: previous, part: 30, count: ringSize(rank: previous), "ring message")
    }
    // Doorbells: rank 0 rings the bell of every other rank on its machine; each of them read its bell before
    // the barrier, so it sees the ring whether it comes before its wait or during it (10 s at most).
    var rang = 0
    if let bells = world.doorbells {
      let before = bells.seen
      try world.barrier()
      if world.rank == 0 {
        for other in 1..<world.size { bells.ring(other) }
      } else if bells.reaches(0) {
        let start = Date()
        while bells.seen == before, Date().timeIntervalSince(start) < 10 { bells.wait(seen: before, nanoseconds: 100_000_000) }
        if bells.seen != before { rang = 1 } else { failures.append("rank \(world.rank): rank 0 rang its doorbell, but it did not ring within 10 s") }
      }
    }
    let traffic = world.traffic
    let summary = "\(traffic.bytesSent) \(traffic.bytesReceived) \(rang)\n" + failures.map { $0 + "\n" }.joined()
    let reports = try world.gather(Array(summary.utf8), root: 0)
    guard world.rank == 0 else { return nil }
    var totalSent = 0, totalReceived = 0, doorbells = 0
    var all: [String] = []
    for report in reports {
      let lines = String(decoding: report, as: UTF8.self).split(separator: "\n").map(String.init)
      let counts = lines.first?.split(separator: " ").compactMap { Int($0) } ?? []
      guard counts.count == 3 else { throw MPIError.frame("a transport-check report without byte counts") }
      totalSent += counts[0]
      totalReceived += counts[1]
      doorbells += counts[2]
      all += lines.dropFirst()
    }
    let quoted = all.map { "\"\($0)\"" }.joined(separator: ",")
    return """
      {"ranks":\(world.size),"ok":\(all.isEmpty),"failures":[\(quoted)],\
      "rank0":{"bytesSent":\(traffic.bytesSent),"bytesReceived":\(traffic.bytesReceived),\
      "framingSent":\(traffic.framingSent),"framingReceived":\(traffic.framingReceived),\
      "messagesSent":\(traffic.messagesSent),"messagesReceived":\(traffic.messagesReceived)},\
      "totalBytesSent":\(totalSent),"totalBytesReceived":\(totalReceived),"doorbellsRung":\(doorbells),\
      "broadcast1MiBMilliseconds":\(String(format: "%.3f", oneMiBSeconds * 1000))}
      """
  }
}
