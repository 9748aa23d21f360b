import Foundation
import HSQMPI
import Testing

/// The MPI transport under a real `mpirun`: variable-size broadcast, gather, scatter and point-to-point
/// messages arrive intact at 1, 2, 3 and 5 ranks, the bytes counted at rank 0 are the bytes sent, and a
/// rank's doorbell wakes it from another process.
@Suite(.serialized, .requires(MPIRun.prerequisite, MPIRun.isAvailable))
struct TransportTests {
  /// Rank 0's traffic in the check, computed from the sizes the check uses.
  static func expectedRank0(ranks k: Int) -> [String: Int] {
    let others = 1..<k
    let header = 8
    let broadcast = TransportCheck.broadcastSizes.reduce(0) { $0 + ($1 + header) * (k - 1) }
    let scatter = others.reduce(0) { $0 + TransportCheck.scatterSize(rank: $1, size: k) + header }
    let gather = others.reduce(0) { $0 + TransportCheck.gatherSize(rank: $1) + header }
    let ring = k > 1
    return [
      "bytesSent": broadcast + scatter + (ring ? TransportCheck.ringSize(rank: 0) : 0),
      "bytesReceived": gather + (ring ? TransportCheck.ringSize(rank: k - 1) : 0),
      "framingSent": header * (k - 1) * (TransportCheck.broadcastSizes.count + 1),
      "framingReceived": header * (k - 1),
      "messagesSent": (k - 1) * (TransportCheck.broadcastSizes.count + 1) + (ring ? 1 : 0),
      "messagesReceived": (k - 1) + (ring ? 1 : 0),
    ]
  }

  static func report(_ outcome: MPIRun.Outcome) throws -> [String: Any] {
    let line = outcome.output.split(separator: "\n").first { $0.hasPrefix("{") } ?? ""
    let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    return try #require(object, "no JSON report; stdout: \(outcome.output) stderr: \(outcome.errors)")
  }

  @Test(arguments: [2, 3, 5])
  func everyRankReceivesWhatWasSentAndRank0CountsItsBytes(ranks: Int) throws {
    let outcome = try MPIRun.run(ranks: ranks, ["transport-check"], in: MPIRun.folder())
    #expect(outcome.status == 0, "stderr: \(outcome.errors)")
    let report = try Self.report(outcome)
    #expect(report["ranks"] as? Int == ranks)
    #expect(report["ok"] as? Bool == true, "failures: \(report["failures"] ?? [])")
    let rank0 = try #require(report["rank0"] as? [String: Int])
    #expect(rank0 == Self.expectedRank0(ranks: ranks))
    // Every byte one rank counted as sent another counted as received.
    #expect(report["totalBytesSent"] as? Int == report["totalBytesReceived"] as? Int)
    #expect((report["totalBytesSent"] as? Int ?? 0) > rank0["bytesSent"]!)
    // Every rank runs on this machine: each heard rank 0 ring its doorbell (Linux futexes in an MPI shared window).
    #if os(Linux)
      #expect(report["doorbellsRung"] as? Int == ranks - 1)
    #endif
  }

  @Test func withoutMPIRunTheBinaryIsAJobOfOneRank() throws {
    let outcome = try MPIRun.run(ranks: nil, ["transport-check"], in: MPIRun.folder())
    #expect(outcome.status == 0, "stderr: \(outcome.errors)")
    let report = try Self.report(outcome)
    #expect(report["ranks"] as? Int == 1)
    #expect(report["ok"] as? Bool == true)
    #expect(report["rank0"] as? [String: Int] == Self.expectedRank0(ranks: 1))
    #expect(report["doorbellsRung"] as? Int == 0)
  }
}
