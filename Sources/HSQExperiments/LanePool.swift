import Dispatch
import Foundation
import Synchronization

/// A fork-join pool of threads that stay awake for a moment between jobs.
///
/// A training step forks twice (the workers, then the server's pass) every
/// fraction of a millisecond. With `DispatchQueue.concurrentPerform` each fork
/// wakes a sleeping thread through the kernel (futex wake and wait: about 5%
/// of a step's CPU time in the MLP benchmark). These threads spin on a
/// generation counter, yielding the CPU, for ``spinNanoseconds`` after each
/// job before they block, so back-to-back forks cost no system call.
///
/// One job runs at a time. A fork made while the pool is busy (from inside a
/// lane, or from another thread) runs on `concurrentPerform` instead, so
/// nesting never deadlocks. Pools are never freed (their threads hold them):
/// the experiments share ``shared``.
final class LanePool: Sendable {
  /// The pool used by the experiments: one thread per core besides the caller's.
  static let shared = LanePool(helpers: max(0, ProcessInfo.processInfo.activeProcessorCount - 1))

  /// How long an idle helper keeps polling before it blocks.
  static let spinNanoseconds: UInt64 = 200_000

  private let helpers: Int
  private let generation = Atomic<Int>(0)
  /// Counts ``wake()`` calls: a blocked helper that sees it change polls again.
  private let alarms = Atomic<Int>(0)
  private let remaining = Atomic<Int>(0)
  private let busy = Atomic<Bool>(false)
  private let sleepers = NSCondition()
  /// The job of the current generation, while it runs.
  private let current = Mutex<Job?>(nil)

  private struct Job {
    let generation: Int
    let lanes: Int
    let body: @Sendable (Int) -> Void
  }

  init(helpers: Int) {
    self.helpers = helpers
    for index in 0..<helpers {
      // The thread keeps the pool alive: a pool and its threads last as long as the process.
      let thread = Thread { self.helperLoop(index: index) }
      thread.name = "hsq-lane-\(index + 1)"
      thread.start()
    }
  }

  /// Runs `body(lane)` for lane in 0..<lanes, lane 0 on the calling thread, and returns when all are done.
  func run(lanes: Int, _ body: @Sendable (Int) -> Void) {
    guard lanes > 1 else {
      if lanes == 1 { body(0) }
      return
    }
    guard lanes - 1 <= helpers, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
      DispatchQueue.concurrentPerform(iterations: lanes, execute: body)
      return
    }
    withoutActuallyEscaping(body) { body in
      let next = generation.load(ordering: .relaxed) + 1
      remaining.store(lanes - 1, ordering: .relaxed)
      current.withLock { $0 = Job(generation: next, lanes: lanes, body: body) }
      sleepers.lock()
      generation.store(next, ordering: .releasing)
      sleepers.broadcast()
      sleepers.unlock()
      body(0)
      while remaining.load(ordering: .acquiring) > 0 { sched_yield() }
      // Every helper that took the body has dropped it (it does so before counting down).
      current.withLock { $0 = nil }
    }
    busy.store(false, ordering: .releasing)
  }

  /// Wakes the helpers that have blocked, so they poll again for ``spinNanoseconds``: a caller that knows a fork
  /// is coming (a worker rank that has just heard of the next round) lets the helpers' wake-up overlap what
  /// it does first, instead of paying it when it forks. Only a hint: a fork works the same without it.
  func wake() {
    alarms.add(1, ordering: .releasing)
    sleepers.lock()
    sleepers.broadcast()
    sleepers.unlock()
  }

  private func helperLoop(index: Int) {
    var seen = 0
    while true {
      awaitGeneration(after: seen)
      // Take the body only when this helper has a lane in the job, so no other reference outlives it.
      var task: (@Sendable (Int) -> Void)?
      current.withLock { job in
        guard let job else {
          seen = generation.load(ordering: .acquiring)
          return
        }
        seen = job.generation
        if index + 1 < job.lanes { task = job.body }
      }
      if let body = task {
        body(index + 1)
        task = nil
        _ = consume body
        remaining.subtract(1, ordering: .releasing)
      }
    }
  }

  /// Returns once `generation` differs from `seen`: polling (yielding the CPU) for a while, then blocking
  /// until the next job or ``wake()``, after which it polls again.
  private func awaitGeneration(after seen: Int) {
    var start = DispatchTime.now().uptimeNanoseconds
    while generation.load(ordering: .acquiring) == seen {
      if DispatchTime.now().uptimeNanoseconds - start < Self.spinNanoseconds {
        sched_yield()
        continue
      }
      sleepers.lock()
      let alarm = alarms.load(ordering: .acquiring)
      while generation.load(ordering: .acquiring) == seen, alarms.load(ordering: .acquiring) == alarm { sleepers.wait() }
      sleepers.unlock()
      start = DispatchTime.now().uptimeNanoseconds
    }
  }
}
