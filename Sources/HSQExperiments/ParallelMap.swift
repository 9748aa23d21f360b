import Dispatch
import HSQCore

/// Runs `body(i)` for i in 0..<count on `threads` threads and returns the results in index order.
///
/// Thread t takes indices t, t + threads, …; each result lands in its own slot,
/// so the output (and anything reduced from it in index order) does not depend
/// on the thread count or on the order in which threads run.
func parallelMap<T: Sendable>(_ count: Int, threads: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
  let slots = UnsafeMutableBufferPointer<Result<T, any Error>?>.allocate(capacity: count)
  slots.initialize(repeating: nil)
  defer {
    slots.deinitialize()
    slots.deallocate()
  }
  let box = SlotBox(slots: slots)
  let lanes = max(1, min(threads, count))
  if lanes == 1 {
    for i in 0..<count { box.slots[i] = Result { try body(i) } }
  } else {
    LanePool.shared.run(lanes: lanes) { lane in
      ParallelRegion.run {
        for i in stride(from: lane, to: count, by: lanes) { box.slots[i] = Result { try body(i) } }
      }
    }
  }
  return try slots.map { try $0!.get() }
}

/// Hands the result slots to the worker threads; each index is written by exactly one thread.
private struct SlotBox<T>: @unchecked Sendable {
  let slots: UnsafeMutableBufferPointer<Result<T, any Error>?>
}

