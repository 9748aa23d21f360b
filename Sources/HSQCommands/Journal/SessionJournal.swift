import Foundation
import HSQ
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A working directory's session journal on disk: the commands that changed state since the last
/// snapshot, and the snapshot itself (a script of `load`/`let`/`experiment` lines plus checkpoints).
///
/// Files in the journal folder (``JournalLocation``):
/// - `lock`: held (`flock`) by the live session, so a second session in the same directory runs without.
/// - `snapshot.hsq`: `# hsq journal generation G` and the commands that rebuild the session as it was at
///   the snapshot, written atomically; experiments with steps are `load e-NAME.gK.safetensors --as NAME` lines
///   whose files ``Experiment/save(to:)`` wrote (the `save` format), sweeps likewise `s-NAME.gK.json`.
/// - `log-G.hsq`: the commands run since snapshot G, appended as each finishes, with `# in-use ACTIVITY FILE`
///   before an add-on's code first runs in a command and `# idle` after it.
///
/// A new snapshot is written under the next generation's names, renamed over `snapshot.hsq`, and only then is
/// the next log started and the previous generation's files removed: a kill at any point leaves one whole
/// generation. Only one generation is kept, so the journal's size is about one checkpoint per experiment.
/// Every failure to write turns the journal off with one warning; the session itself never fails for it.
///
/// Checked `Sendable`: the session's bookkeeping (generation, counters, commands running) is used by the
/// session's thread, and the log by whichever thread runs an add-on's code (worker threads mark add-ons in
/// use); each sits behind its own `Mutex` (the log's lock may take the bookkeeping's briefly, never the reverse).
public final class SessionJournal: Sendable {
  /// The journal folder.
  public let directory: String
  /// Prints a one-line warning (the front ends write it to standard error).
  let warn: @Sendable (String) -> Void

  /// What the session's thread keeps between snapshots.
  private struct Bookkeeping: Sendable {
    var settings: JournalSettings
    var generation = 0
    var snapshotCount = 0
    var pending: PendingJournal?
    var written: [String: (key: String, file: String)] = [:]
    var stepsSinceSnapshot = 0
    var secondsBeforeCommand = 0.0
    var commandStarted: UInt64 = 0
    var running: [(generation: Int, fingerprint: [String])] = []
    var isReplaying = false
    var commandWasCut = false
  }
  private let book: Mutex<Bookkeeping>

  /// How often snapshots are written.
  public var settings: JournalSettings {
    get { book.withLock { $0.settings } }
    set { book.withLock { $0.settings = newValue } }
  }
  /// The generation of the snapshot on disk (0 before the first).
  private(set) var generation: Int {
    get { book.withLock { $0.generation } }
    set { book.withLock { $0.generation = newValue } }
  }
  /// Snapshots written by this session.
  public private(set) var snapshotCount: Int {
    get { book.withLock { $0.snapshotCount } }
    set { book.withLock { $0.snapshotCount = newValue } }
  }
  /// What a session that died left here, until it is recovered or discarded.
  public private(set) var pending: PendingJournal? {
    get { book.withLock { $0.pending } }
    set { book.withLock { $0.pending = newValue } }
  }
  /// Checkpoint files of the snapshot on disk by variable, with the state they hold (see ``Session/checkpointKey(_:)``).
  var written: [String: (key: String, file: String)] {
    get { book.withLock { $0.written } }
    set { book.withLock { $0.written = newValue } }
  }
  /// Steps taken by the session's experiments since the snapshot.
  var stepsSinceSnapshot: Int {
    get { book.withLock { $0.stepsSinceSnapshot } }
    set { book.withLock { $0.stepsSinceSnapshot = newValue } }
  }
  /// Seconds of command time since the snapshot, up to the start of the command running.
  var secondsBeforeCommand: Double {
    get { book.withLock { $0.secondsBeforeCommand } }
    set { book.withLock { $0.secondsBeforeCommand = newValue } }
  }
  /// When the outermost command running started (uptime nanoseconds).
  var commandStarted: UInt64 {
    get { book.withLock { $0.commandStarted } }
    set { book.withLock { $0.commandStarted = newValue } }
  }
  /// Commands running, outermost first: the generation and session state when each started.
  var running: [(generation: Int, fingerprint: [String])] {
    get { book.withLock { $0.running } }
    set { book.withLock { $0.running = newValue } }
  }
  /// Set while a recovery replays the journal: nothing is logged, add-on marks still are.
  var isReplaying: Bool {
    get { book.withLock { $0.isReplaying } }
    set { book.withLock { $0.isReplaying = newValue } }
  }
  /// Set by a run that stopped early (Ctrl-C, a failed step): its command line would not replay it.
  var commandWasCut: Bool {
    get { book.withLock { $0.commandWasCut } }
    set { book.withLock { $0.commandWasCut = newValue } }
  }
  private let lockDescriptor: Int32
  private let log = Mutex(LogState())
  private let faults = FaultInjection.fromEnvironment()

  /// The log's file, size, and the add-ons marked in use in it; also whether the journal has failed.
  private struct LogState: Sendable {
    var descriptor: Int32 = -1
    var bytes = 0
    var inUse: [(owner: String, activity: String)] = []
    var isBroken = false
  }

  /// Whether a write failed (the journal is off for the rest of the session).
  public var isBroken: Bool { log.withLock { $0.isBroken } }
  /// Bytes in the current log.
  var logBytes: Int { log.withLock { $0.bytes } }

  /// Why a journal could not be opened.
  public enum OpenFailure: Error, CustomStringConvertible {
    /// Another live hsq session in this directory holds it.
    case busy(String)
    /// The folder cannot be made or written.
    case unusable(String, String)

    public var description: String {
      switch self {
      case let .busy(dir): return "another hsq session in this directory keeps its journal in \(dir); this session runs without one."
      case let .unusable(dir, why): return "cannot keep a session journal in \(dir) (\(why)); this session runs without one (set HSQ_JOURNAL_DIR to a writable folder)."
      }
    }
  }

  /// Opens (making it, mode 0700) the journal folder and takes its lock; reads what a session that died left there.
  public static func open(directory: String, settings: JournalSettings = .default, warn: @escaping @Sendable (String) -> Void) throws(OpenFailure) -> SessionJournal {
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      throw .unusable(directory, problem(error))
    }
    _ = chmod(directory, 0o700)
    let fd = openFile(directory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw .unusable(directory, String(cString: strerror(errno))) }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      let busy = errno == EWOULDBLOCK
      let why = String(cString: strerror(errno))
      closeFile(fd)
      throw busy ? .busy(directory) : .unusable(directory, why)
    }
    let journal = SessionJournal(directory: directory, settings: settings, lock: fd, warn: warn)
    journal.pending = PendingJournal.read(directory)
    if let pending = journal.pending { journal.generation = pending.generation }
    return journal
  }

  private init(directory: String, settings: JournalSettings, lock: Int32, warn: @escaping @Sendable (String) -> Void) {
    self.directory = directory
    self.book = Mutex(Bookkeeping(settings: settings))
    self.lockDescriptor = lock
    self.warn = warn
  }

  deinit {
    log.withLock { if $0.descriptor >= 0 { closeFile($0.descriptor) } }
    closeFile(lockDescriptor)
  }

  var snapshotPath: String { directory + "/snapshot.hsq" }
  func logPath(_ generation: Int) -> String { directory + "/log-\(generation).hsq" }

  // MARK: - Writing

  /// Appends a command to the log (opening the log of this generation on first use).
  func append(_ line: String) {
    write(line + "\n")
  }

  /// Marks the add-on `owner` in use before its code runs (once per command), from any thread.
  func markInUse(_ owner: String, _ activity: String) {
    log.withLock { state in
      guard !state.isBroken, !state.inUse.contains(where: { $0.owner == owner }) else { return }
      if put("# in-use \(activity) \(owner)\n", &state) { state.inUse.append((owner, activity)) }
    }
  }

  /// Writes `# idle` when add-ons were marked in use in the command that just ended.
  func markIdle() {
    log.withLock { state in
      guard !state.inUse.isEmpty else { return }
      state.inUse = []
      _ = put("# idle\n", &state)
    }
  }

  private func write(_ text: String) {
    log.withLock { _ = put(text, &$0) }
  }

  /// Appends `text` to the log under the lock; a failure turns the journal off with one warning.
  private func put(_ text: String, _ state: inout LogState) -> Bool {
    guard !state.isBroken else { return false }
    faults.point(.write)
    if state.descriptor < 0 {
      state.descriptor = openFile(logPath(generation), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
      guard state.descriptor >= 0 else { fail(&state, "cannot open \(logPath(generation)): \(String(cString: strerror(errno)))"); return false }
    }
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let n = bytes.withUnsafeBytes { writeFile(state.descriptor, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      guard n > 0 else { fail(&state, "cannot append to \(logPath(generation)): \(String(cString: strerror(errno)))"); return false }
      bytes = bytes.dropFirst(n)
      state.bytes += n
    }
    return true
  }

  /// Publishes a snapshot of generation ``generation`` + 1: `lines` rebuild the session, `files` are the
  /// checkpoints they name (already written). Starts the next log and removes the previous generation.
  func publish(_ lines: [String], files: Set<String>) throws {
    let next = generation + 1
    faults.point(.write)
    try AtomicFile.write("# hsq journal generation \(next)\n# working directory: \(FileManager.default.currentDirectoryPath)\n" + lines.map { $0 + "\n" }.joined(), to: snapshotPath)
    _ = chmod(snapshotPath, 0o600)
    faults.point(.write)
    try log.withLock { state throws in
      let fd = openFile(logPath(next), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
      guard fd >= 0 else { throw HSQError.fileWrite(path: logPath(next), problem: String(cString: strerror(errno))) }
      if state.descriptor >= 0 { closeFile(state.descriptor) }
      state.descriptor = fd
      state.bytes = 0
      generation = next
      // A snapshot inside a command that runs add-on code keeps the mark: the command goes on after it.
      let marks = state.inUse
      state.inUse = []
      for mark in marks { _ = put("# in-use \(mark.activity) \(mark.owner)\n", &state); state.inUse.append(mark) }
    }
    snapshotCount += 1
    faults.point(.write)
    removeFiles { $0 != "lock" && $0 != "snapshot.hsq" && $0 != "log-\(next).hsq" && !files.contains(directory + "/" + $0) }
  }

  /// Turns the journal off after `error`, with one warning.
  func fail(_ error: any Error) {
    log.withLock { fail(&$0, Session.message(for: error)) }
  }

  private func fail(_ state: inout LogState, _ problem: String) {
    guard !state.isBroken else { return }
    state.isBroken = true
    warn("warning: the session journal stopped (\(problem)); the session goes on without it.")
  }

  // MARK: - Ending

  /// The pending journal has been replayed into the session; the next snapshot replaces it.
  func recovered() { pending = nil }

  /// Keeps the pending journal's files (its snapshot, log, checkpoints and sweeps) as they are, in a folder
  /// of their own that no snapshot or clean exit removes: what a recovery could not restore (a checkpoint
  /// over the memory limit, say) must outlive the snapshot that replaces the journal.
  ///
  /// The files are hard links, so nothing is copied.
  ///
  /// - Returns: The folder, or `nil` when it cannot be made.
  func keepPendingFiles() -> String? {
    guard let pending else { return nil }
    let folder = directory + "/not-restored-g\(pending.generation)"
    guard mkdir(folder, 0o700) == 0 || errno == EEXIST else { return nil }
    var info = stat()
    for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name != "lock" {
      let path = directory + "/" + name
      guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
      guard link(path, folder + "/" + name) == 0 || errno == EEXIST else { return nil }
    }
    return folder
  }

  /// Deletes what a session that died left here (it will not be recovered).
  public func discard() {
    removeFiles { $0 != "lock" }
    pending = nil
    generation = 0
    written = [:]
  }

  /// A clean exit: removes every file of the journal and the folder, and releases the lock.
  public func close() {
    log.withLock { state in
      if state.descriptor >= 0 { closeFile(state.descriptor) }
      state.descriptor = -1
      state.isBroken = true
    }
    if pending == nil {
      removeFiles { _ in true }
      rmdir(directory)  // stays while it holds a not-restored folder
    }
  }

  /// Removes the journal folder's files whose names pass `remove`.
  private func removeFiles(_ remove: (String) -> Bool) {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where remove(name) {
      unlink(directory + "/" + name)
    }
  }

  /// Counts a step for fault injection (tests kill the process at a chosen step).
  func stepTaken() { faults.point(.step) }

  /// Counts a file write for fault injection.
  func willWriteFile() { faults.point(.write) }

  private static func problem(_ error: any Error) -> String {
    posixErrorCode(of: error).map { String(cString: strerror($0)) } ?? error.localizedDescription
  }
}

/// What a session that died left in its journal: the snapshot's commands, the log's, and the add-ons in use.
public struct PendingJournal: Sendable {
  /// The generation of the snapshot (0: the session died before its first).
  public let generation: Int
  /// Commands of the snapshot, then of its log.
  public let commands: [String]
  /// How many of ``commands`` come from the log (the last ones).
  public let logCount: Int
  /// Add-ons marked in use and not idle again when the session died, with what they were doing.
  public let inUse: [(owner: String, activity: String)]
  /// When the journal was last written.
  public let modified: Date?

  /// Reads the journal in `directory`; `nil` when there is nothing to recover.
  static func read(_ directory: String) -> PendingJournal? {
    let snapshotText = FileManager.default.contents(atPath: directory + "/snapshot.hsq").map { String(decoding: $0, as: UTF8.self) } ?? ""
    let snapshotLines = snapshotText.textLines
    var generation = 0
    if let header = snapshotLines.first, header.hasPrefix("# hsq journal generation "), let g = Int(header.dropFirst(25)) { generation = g }
    let logFile = directory + "/log-\(generation).hsq"
    let logLines = FileManager.default.contents(atPath: logFile).map { String(decoding: $0, as: UTF8.self) } ?? ""
    var commands = snapshotLines.filter { !$0.isEmpty && !$0.hasPrefix("#") }
    let snapshotCount = commands.count
    var inUse: [(owner: String, activity: String)] = []
    // A line cut by the kill has no newline: it never ran to the end, so it is left out.
    let complete = logLines.hasSuffix("\n") ? logLines.textLines : Array(logLines.textLines.dropLast())
    for line in complete {
      if line.hasPrefix("# in-use ") {
        let rest = line.dropFirst(9)
        guard let space = rest.firstIndex(of: " ") else { continue }
        let owner = String(rest[rest.index(after: space)...])
        if !inUse.contains(where: { $0.owner == owner }) { inUse.append((owner, String(rest[..<space]))) }
      } else if line == "# idle" {
        inUse = []
      } else if !line.isEmpty, !line.hasPrefix("#") {
        commands.append(line)
      }
    }
    guard !commands.isEmpty || !inUse.isEmpty else { return nil }
    let dates = [directory + "/snapshot.hsq", logFile].compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }
    return PendingJournal(generation: generation, commands: commands, logCount: commands.count - snapshotCount, inUse: inUse, modified: dates.max())
  }
}

/// Kills the process at a chosen point, for the journal's fault-injection tests.
///
/// `HSQ_JOURNAL_FAULT=step:K` sends SIGKILL to the process after the K-th step of the session's experiments,
/// `write:K` just before the K-th write of the journal (an append, a snapshot's rename, a log's start).
/// Unset (always, outside those tests) it costs one comparison per point.
final class FaultInjection: Sendable {
  enum Point: String, Sendable { case step, write }
  let point: Point?
  let target: Int
  private let count = Atomic<Int>(0)

  static func fromEnvironment() -> FaultInjection {
    let text = ProcessInfo.processInfo.environment["HSQ_JOURNAL_FAULT"] ?? ""
    let parts = text.split(separator: ":")
    guard parts.count == 2, let point = Point(rawValue: String(parts[0])), let k = Int(parts[1]), k > 0 else {
      return FaultInjection(point: nil, target: 0)
    }
    return FaultInjection(point: point, target: k)
  }

  private init(point: Point?, target: Int) {
    self.point = point
    self.target = target
  }

  func point(_ kind: Point) {
    guard kind == point else { return }
    if count.add(1, ordering: .relaxed).newValue == target { kill(getpid(), SIGKILL) }
  }
}

// Plain POSIX calls, named apart from ``SessionJournal``'s own `open` and `close`.
private func openFile(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func closeFile(_ fd: Int32) { _ = close(fd) }
private func writeFile(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, bytes, count) }
