import Synchronization

/// Who is told just before an add-on's code runs, so a trap inside it can be blamed on it afterwards.
///
/// An add-on runs in the process: when it traps (`fatalError`, an out-of-bounds index), the process dies
/// with it. The session journal observes this hook and writes "in use: FILE (encode)" to disk before the
/// call returns; if the process dies before the journal writes "idle", `hsq-repl --recover` knows which
/// add-on was running and restores the session without it. The loader reports `load` (opening the library
/// and its `hsq_register`), compressors registered by an add-on report `make`, `encode` and `decode`.
///
/// The observer runs on the calling thread (worker threads for encode) and must return only once the mark
/// is stored; it is called for every call, so it must be cheap when the add-on is already marked.
public enum AddOnActivity {
  private static let observer = Mutex<(@Sendable (_ owner: String, _ activity: String) -> Void)?>(nil)

  /// Installs (or with `nil` removes) the process's observer.
  public static func observe(_ body: (@Sendable (_ owner: String, _ activity: String) -> Void)?) {
    observer.withLock { $0 = body }
  }

  /// Tells the observer that code of the add-on file `owner` is about to run `activity` (`load`, `encode`, …).
  public static func willRun(_ owner: String, _ activity: String) {
    observer.withLock { $0 }?(owner, activity)
  }
}
