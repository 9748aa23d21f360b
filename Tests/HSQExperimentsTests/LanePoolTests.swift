import Dispatch
@testable import HSQExperiments
import Synchronization
import Testing

/// The fork-join pool: every lane runs exactly once per job, back to back, nested, from several threads, and
/// after its helpers were woken between jobs.
@Suite struct LanePoolTests {
  /// Counts how often each lane ran.
  final class Tally: Sendable {
    let counts: Mutex<[Int]>
    init(_ n: Int) { counts = Mutex(Array(repeating: 0, count: n)) }
    func hit(_ lane: Int) { counts.withLock { $0[lane] += 1 } }
    var values: [Int] { counts.withLock { $0 } }
  }

  @Test func everyLaneRunsOncePerJob() {
    let pool = LanePool(helpers: 3)
    for lanes in [1, 2, 3, 4] {
      let tally = Tally(lanes)
      for _ in 0..<2000 { pool.run(lanes: lanes) { tally.hit($0) } }
      #expect(tally.values == Array(repeating: 2000, count: lanes), "lanes = \(lanes)")
    }
  }

  @Test func moreLanesThanHelpersAndNestedJobsFallBack() {
    let pool = LanePool(helpers: 1)
    let outer = Tally(2), inner = Tally(3)
    for _ in 0..<200 {
      pool.run(lanes: 2) { lane in
        outer.hit(lane)
        pool.run(lanes: 3) { inner.hit($0) }
      }
    }
    #expect(outer.values == [200, 200])
    #expect(inner.values == [400, 400, 400])
  }

  @Test func concurrentSubmittersEachGetTheirLanes() {
    let pool = LanePool(helpers: 1)
    let tallies = (0..<4).map { _ in Tally(2) }
    DispatchQueue.concurrentPerform(iterations: 4) { t in
      for _ in 0..<500 { pool.run(lanes: 2) { tallies[t].hit($0) } }
    }
    for tally in tallies { #expect(tally.values == [500, 500]) }
  }

  @Test func helpersThatSleptWakeUp() async throws {
    let pool = LanePool(helpers: 1)
    let tally = Tally(2)
    for _ in 0..<3 {
      pool.run(lanes: 2) { tally.hit($0) }
      // Longer than the spin window, so the helper blocks before the next job.
      try await Task.sleep(nanoseconds: 2 * LanePool.spinNanoseconds)
    }
    #expect(tally.values == [3, 3])
  }

  @Test func wakingTheHelpersRunsNoJobAndLosesNone() async throws {
    let pool = LanePool(helpers: 2)
    let tally = Tally(3)
    for round in 0..<6 {
      // The helpers have blocked; a wake sends them polling (and, on even rounds, back to blocking) before the job.
      try await Task.sleep(nanoseconds: 2 * LanePool.spinNanoseconds)
      pool.wake()
      if round % 2 == 0 { try await Task.sleep(nanoseconds: 2 * LanePool.spinNanoseconds) }
      pool.wake()
      pool.wake()
      pool.run(lanes: 3) { tally.hit($0) }
    }
    #expect(tally.values == [6, 6, 6])
  }
}
