import Synchronization

/// Scratch memory for one thread's forward and backward passes.
///
/// A model never allocates per call beyond what the API returns: activations,
/// deltas and im2col buffers live in a workspace, grown on first use and kept
/// for the next batch. A workspace is used by **one thread at a time**: give
/// each concurrent worker (or each thread of a pool) its own. Any model can
/// use any workspace; buffers are addressed by slot and resized on demand.
///
/// It is `@unchecked Sendable` so that a pool can hand one to each thread (and a
/// worker's workspace may move between threads from one step to the next). The
/// invariant is enforced, as Swift enforces exclusive access to an `inout`: every
/// access to the buffer table claims the workspace with an atomic flag, and a
/// second thread arriving while it is claimed stops the program with a
/// precondition failure that names the fix, instead of racing on the table.
/// Creating the first workspace runs OpenBLAS on one thread, for good (see ``BLAS``).
public final class Workspace: @unchecked Sendable {
  private var buffers: [UnsafeMutablePointer<Float>?] = []
  private var capacities: [Int] = []
  /// Set while a thread reads or changes ``buffers`` and ``capacities``.
  private let claimed = Atomic<Bool>(false)

  public init() {
    BLAS.useOneThread()
  }

  deinit {
    for buffer in buffers { buffer?.deallocate() }
  }

  /// Floats currently held, over all slots (for memory reports).
  public var floatCount: Int { exclusively { capacities.reduce(0, +) } }

  /// A buffer of at least `count` floats for `slot`; its contents are undefined.
  ///
  /// Asking again for the same slot with a larger count replaces the buffer:
  /// its contents are lost and earlier pointers to it dangle. Other slots are
  /// never moved, so a pass holds one pointer per slot.
  @inline(__always)
  func buffer(_ slot: Int, count: Int) -> UnsafeMutablePointer<Float> {
    exclusively { unclaimedBuffer(slot, count: count) }
  }

  /// Runs `body` with the workspace claimed by this thread; two threads at once is a programming error.
  @inline(__always)
  func exclusively<R>(_ body: () -> R) -> R {
    let taken = claimed.exchange(true, ordering: .acquiring)
    precondition(!taken, "a Workspace is used by two threads at the same time; give each thread (each worker) its own Workspace.")
    defer { claimed.store(false, ordering: .releasing) }
    return body()
  }

  @inline(__always)
  private func unclaimedBuffer(_ slot: Int, count: Int) -> UnsafeMutablePointer<Float> {
    if slot >= buffers.count {
      buffers.append(contentsOf: repeatElement(nil, count: slot + 1 - buffers.count))
      capacities.append(contentsOf: repeatElement(0, count: slot + 1 - capacities.count))
    }
    if let existing = buffers[slot], capacities[slot] >= count { return existing }
    buffers[slot]?.deallocate()
    let size = max(count, 1)
    let fresh = UnsafeMutablePointer<Float>.allocate(capacity: size)
    fresh.initialize(repeating: 0, count: size)
    buffers[slot] = fresh
    capacities[slot] = size
    return fresh
  }
}

/// Slot numbers, so that stages of one model never share a buffer.
enum WorkspaceSlot {
  /// Dense stack: activations of layer l at `dense + l`, deltas at `denseDelta + 0/1`.
  static let dense = 0
  static let denseDelta = 40
  /// Convolution stage.
  static let im2col = 50
  static let convOut = 51
  static let pooled = 52
  static let pooledDelta = 54
  static let convDelta = 55
}
