import Dispatch
import HSQCore
import Synchronization

/// Runs `body(i)` for i in 0..<count on `threads` threads and returns the results in index order.
///
/// Thread t takes indices t, t + threads, …; each result lands in its own slot,
/// so the output (and anything reduced from it in index order) does not depend
/// on the thread count or on the order in which threads run.
///
/// With a `cancellation`, every thread checks it before each index and the map throws
/// ``HSQError/interrupted`` once it is cancelled (task locals do not reach the pool's
/// threads, so the token is passed in; it is also current inside `body`).
func parallelMap<T: Sendable>(
  _ count: Int, threads: Int, cancellation: Cancellation? = nil, _ body: @Sendable (Int) throws -> T
) throws -> [T] {
  let box = ResultSlots<T>(count: count)
  let lanes = max(1, min(threads, count))
  @Sendable func lane(_ index: Int) {
    for i in stride(from: index, to: count, by: lanes) {
      if let cancellation, cancellation.isCancelled { return }
      let result = Result { try body(i) }
      box.slots.withLock { $0[i] = result }
    }
  }
  if lanes == 1 {
    lane(0)
  } else if let cancellation {
    LanePool.shared.run(lanes: lanes) { index in ParallelRegion.run { cancellation.whileCurrent { lane(index) } } }
  } else {
    LanePool.shared.run(lanes: lanes) { index in ParallelRegion.run { lane(index) } }
  }
  try cancellation?.check()
  return try box.slots.withLock { $0 }.map { try $0!.get() }
}

/// The result slots the worker threads fill, one per index (a lock per index: the indices are
/// workers or layers, each worth far more than a lock).
private final class ResultSlots<T: Sendable>: Sendable {
  let slots: Mutex<[Result<T, any Error>?]>
  init(count: Int) { slots = Mutex([Result<T, any Error>?](repeating: nil, count: count)) }
}

/// Tells the experiments' worker threads that parallel work is about to start (a worker rank that has just
/// heard of the next round, a server that has just heard its workers answer): threads that have gone to
/// sleep wake and poll, so the fork does not wait for the kernel to wake them. Only a hint.
public func expectParallelWork() { LanePool.shared.wake() }
