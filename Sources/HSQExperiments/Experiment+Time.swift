import Dispatch
import HSQCore

extension Experiment {
  /// The network model the `network` setting names, or `nil` (validated with the config, so it parses).
  public var network: NetworkModel? { config.network.flatMap { try? NetworkModel.parse($0) } }

  /// Stamps a new record with its wall time and, under a network model, its simulated round time.
  func stampTime(_ record: inout StepRecord, replies: [WorkerReply], started: UInt64) {
    let previous = history.last
    let wall = Double(DispatchTime.now().uptimeNanoseconds &- started) / 1e9
    record.wallSeconds = wall
    record.cumulativeWallSeconds = (previous?.cumulativeWallSeconds ?? 0) + wall
    guard let network else { return }
    let participants = replies.map { reply in
      NetworkModel.Participant(worker: reply.worker, bitsUp: reply.payloads.reduce(0) { $0 + $1.bitCount },
                               measuredCompute: reply.computeSeconds + reply.compressSeconds)
    }
    let round = network.roundSeconds(participants, bitsDown: record.bitsDown, seed: config.seed)
    record.roundSeconds = round
    record.cumulativeRoundSeconds = (previous?.cumulativeRoundSeconds ?? 0) + round
    record.roundTimeMeasured = network.isMeasured
  }
}

extension StepRecord {
  /// Seconds since step 0: simulated under a network model, else measured wall time (0 when neither was kept).
  public var timeSeconds: Double { cumulativeRoundSeconds ?? cumulativeWallSeconds ?? 0 }
}
