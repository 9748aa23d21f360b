import Synchronization

/// A request to stop long work, set from outside (Ctrl-C, another thread, a test) and polled by every long loop.
///
/// A `Session` owns one and installs it as ``current`` for the duration of each command;
/// long loops (k-means training, codebook quality figures, dataset loading, Monte Carlo
/// checks, replays, notebook runs, `run`) call ``checkCurrent()`` between chunks of at
/// most a few milliseconds of work and unwind with ``HSQError/interrupted`` before they
/// change anything a user can see, so a command stops within about a second and leaves
/// the session as it was.
///
/// ```
/// let token = Cancellation()
/// token.whileCurrent { try KMeansCodebook.make(…) }   // another thread: token.cancel()
/// ```
///
/// ``current`` is a task-local: it is not a process-wide switch, so sessions (and tests)
/// running side by side never see each other's requests. Task locals do not cross into
/// threads a loop starts itself: a parallel loop reads ``current`` on the calling
/// thread and hands the token to its workers.
///
/// An outside ``Signal`` (the REPL's SIGINT flag, which a signal handler may only set)
/// is honoured too: ``isCancelled`` reads it, ``reset()`` lowers it.
public final class Cancellation: Sendable {
  /// A flag owned by someone else that also cancels, and how to lower it.
  public struct Signal: Sendable {
    public let isRaised: @Sendable () -> Bool
    public let lower: @Sendable () -> Void

    public init(isRaised: @escaping @Sendable () -> Bool, lower: @escaping @Sendable () -> Void) {
      self.isRaised = isRaised
      self.lower = lower
    }
  }

  private let requested = Atomic<Bool>(false)
  private let signal: Signal?

  /// A token that is not cancelled; `signal`, when given, cancels it too.
  public init(signal: Signal? = nil) {
    self.signal = signal
  }

  /// Asks the work that polls this token to stop (callable from any thread).
  public func cancel() {
    requested.store(true, ordering: .relaxed)
  }

  /// Whether ``cancel()`` was called, or the signal raised, since the last ``reset()``.
  public var isCancelled: Bool {
    if requested.load(ordering: .relaxed) { return true }
    guard let signal, signal.isRaised() else { return false }
    requested.store(true, ordering: .relaxed)
    return true
  }

  /// Clears the request (and lowers the signal) before new work starts.
  public func reset() {
    signal?.lower()
    requested.store(false, ordering: .relaxed)
  }

  /// Throws ``HSQError/interrupted`` when cancelled.
  public func check() throws {
    if isCancelled { throw HSQError.interrupted }
  }

  /// Runs `body` with this token as ``current`` on the calling thread (or task).
  public func whileCurrent<T>(_ body: () throws -> T) rethrows -> T {
    try Self.$current.withValue(self, operation: body)
  }

  /// The token of the command running on this thread (or task), if any.
  @TaskLocal public static var current: Cancellation?

  /// Throws ``HSQError/interrupted`` when the ``current`` token is cancelled; cheap enough for every chunk of a loop.
  public static func checkCurrent() throws {
    try current?.check()
  }
}
