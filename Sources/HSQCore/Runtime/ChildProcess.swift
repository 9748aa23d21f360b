import CSpawn
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A program this process started: spawned without leaking a descriptor, waited for by its process id.
///
/// Every program hsq starts (the add-on compiler, the benchmark peers, `mpirun`) and every program
/// the tests start goes through here, because Foundation's `Process` on Linux can wait forever:
/// it learns that a child ended when a socket the child inherited reaches end of file, so a
/// grandchild that outlives it (a tmux server, an MPI daemon) or another thread's child that
/// inherited the socket by accident keeps `waitUntilExit()` from returning, and a pipe's write end
/// inherited the same way keeps a reader from ever seeing end of file. Here:
/// - the child gets its three standard streams and no other descriptor of this process;
/// - the child's end is found with `waitpid`, never through a descriptor;
/// - every wait has a deadline and can be cancelled (``Cancellation/current``); past it, the child's
///   process group and every process descended from it are killed.
///
/// ```
/// let child = try ChildProcess(path: "/usr/bin/env", ["python3", "peer.py"], output: .pipe)
/// let bytes = child.readAllOutput()
/// let end = try child.wait(timeout: 600)
/// ```
public final class ChildProcess: @unchecked Sendable {
  /// Where a standard stream of the child goes.
  public enum Stream: Sendable {
    /// `/dev/null`.
    case null
    /// This process's own stream.
    case inherit
    /// A file, created or truncated (output) or read from the start (input).
    case file(String)
    /// A pipe whose other end this process holds (``input``, ``output``, ``errors``).
    case pipe
    /// The same as standard output (for standard error only).
    case output
  }

  /// How a child ended.
  public struct Termination: Sendable, Equatable, CustomStringConvertible {
    /// The exit status, or nil when a signal ended it (or the status was collected elsewhere: both nil).
    public let exitStatus: Int32?
    /// The signal that ended it, if one did.
    public let signal: Int32?

    public init(exitStatus: Int32?, signal: Int32?) {
      self.exitStatus = exitStatus
      self.signal = signal
    }

    /// The shell's figure: the exit status, or 128 + the signal (128 when neither is known).
    public var status: Int32 { exitStatus ?? 128 + (signal ?? 0) }

    public var description: String {
      if let exitStatus { return "exited with status \(exitStatus)" }
      if let signal { return "was killed by signal \(signal)" }
      return "ended, its status collected elsewhere"
    }
  }

  /// A wait that reached its deadline: the child was killed, with every process descended from it.
  public struct TimedOut: Error, CustomStringConvertible {
    public let command: String
    public let seconds: Double
    public var description: String { "'\(command)' was still running after \(seconds) s and was killed." }
  }

  /// The child's process id (and the id of its process group).
  public let pid: pid_t
  /// The command line, for messages.
  public let command: String
  /// This process's ends of the `.pipe` streams (writing to the child's input, reading its output and errors).
  public let input: FileHandle?
  public let output: FileHandle?
  public let errors: FileHandle?

  private let ended = Mutex<Termination?>(nil)

  /// Starts `path` with `arguments` (not including the program's name).
  ///
  /// `environment` replaces this process's when given. `directory` is the child's working directory.
  /// Throws ``HSQError/invalidState(_:)`` naming the program when it cannot be started.
  public init(path: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
              input: Stream = .null, output: Stream = .inherit, errors: Stream = .inherit) throws {
    command = ([path] + arguments).joined(separator: " ")
    var opened: [Int32] = []  // descriptors opened for the child, closed here once it has them
    defer { for fd in opened { closeDescriptor(fd) } }
    var kept: [FileHandle?] = [nil, nil, nil]
    func descriptor(_ stream: Stream, _ index: Int, reading: Bool) throws -> Int32 {
      switch stream {
      case .null: return -1
      case .inherit: return Int32(index)
      case .output:
        precondition(index == 2, ".output is for standard error only")
        return -2
      case .file(let file):
        let fd = reading ? hsq_open_for_reading(file) : hsq_open_for_writing(file)
        guard fd >= 0 else { throw Self.failure(path, "cannot open '\(file)': \(String(cString: strerror(errno)))") }
        opened.append(fd)
        return fd
      case .pipe:
        var fds: [Int32] = [-1, -1]
        let status = hsq_pipe_cloexec(&fds)
        guard status == 0 else { throw Self.failure(path, "cannot make a pipe: \(String(cString: strerror(status)))") }
        let (childEnd, ourEnd) = reading ? (fds[0], fds[1]) : (fds[1], fds[0])
        opened.append(childEnd)
        kept[index] = FileHandle(fileDescriptor: ourEnd, closeOnDealloc: true)
        return childEnd
      }
    }
    let inFD = try descriptor(input, 0, reading: true)
    let outFD = try descriptor(output, 1, reading: false)
    var errFD = try descriptor(errors, 2, reading: false)
    if errFD == -2 { errFD = outFD < 0 ? -1 : outFD }
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var child: pid_t = 0
    let status = hsq_spawn(&child, path, argv, envp, inFD, outFD, errFD, directory)
    guard status == 0 else { throw Self.failure(path, String(cString: strerror(status))) }
    pid = child
    self.input = kept[0]
    self.output = kept[1]
    self.errors = kept[2]
  }

  private static func failure(_ path: String, _ reason: String) -> HSQError {
    .invalidState("Cannot run '\(path)': \(reason).")
  }

  /// How the child ended, if it has; never blocks.
  public func poll() -> Termination? {
    ended.withLock { ended in
      if let ended { return ended }
      var status: Int32 = 0
      var reaped = waitpid(pid, &status, WNOHANG)
      while reaped < 0 && errno == EINTR { reaped = waitpid(pid, &status, WNOHANG) }
      if reaped < 0 && errno == ECHILD {
        // Reaped by someone else (SIGCHLD ignored, or a wait for any child): ended, its status unknown.
        ended = Termination(exitStatus: nil, signal: nil)
        return ended
      }
      guard reaped == pid else { return nil }
      let signal = status & 0x7F
      ended = signal == 0 ? Termination(exitStatus: (status >> 8) & 0xFF, signal: nil) : Termination(exitStatus: nil, signal: signal)
      return ended
    }
  }

  /// Waits for the child to end.
  ///
  /// Past `timeout` seconds (nil: no deadline) the child is killed (``kill()``) and ``TimedOut`` thrown;
  /// when `cancellable`, a cancelled ``Cancellation/current`` kills it too and throws ``HSQError/interrupted``.
  @discardableResult
  public func wait(timeout: Double? = nil, cancellable: Bool = false) throws -> Termination {
    let start = DispatchTime.now().uptimeNanoseconds
    var pause: UInt32 = 200
    while true {
      if let ended = poll() { return ended }
      let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      if let timeout, elapsed > timeout {
        kill()
        throw TimedOut(command: command, seconds: timeout)
      }
      if cancellable, Cancellation.current?.isCancelled == true {
        kill()
        throw HSQError.interrupted
      }
      usleep(pause)
      pause = min(pause * 2, 20_000)
    }
  }

  /// Sends `signo` to the child alone.
  public func signal(_ signo: Int32) {
    if poll() == nil { sendSignal(pid, signo) }
  }

  /// Kills the child's process group and every process descended from the child (SIGKILL), then reaps the child.
  public func kill() {
    guard poll() == nil else { return }
    let family = Self.descendants(of: pid)
    sendSignal(-pid, SIGKILL)
    sendSignal(pid, SIGKILL)
    for member in family { sendSignal(member, SIGKILL) }
    while poll() == nil { usleep(1000) }
  }

  /// Reads the child's `.pipe` output to its end.
  public func readAllOutput() -> Data { output?.readDataToEndOfFile() ?? Data() }

  /// The processes whose parent is `pid`.
  public static func children(of pid: pid_t) -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { pid_t($0) }.filter { child in
      guard let status = try? String(contentsOfFile: "/proc/\(child)/status", encoding: .utf8) else { return false }
      return status.split(separator: "\n").contains { $0 == "PPid:\t\(pid)" }
    }
  }

  /// Every process descended from `pid`: its children, theirs, and so on.
  public static func descendants(of pid: pid_t) -> [pid_t] {
    var found: [pid_t] = [], frontier = [pid]
    while let next = frontier.popLast() {
      let children = Self.children(of: next)
      found += children
      frontier += children
    }
    return found
  }

  /// A finished run: how it ended, and what it wrote.
  public struct Outcome: Sendable {
    public let termination: Termination
    public let output: String
    public let errors: String
    /// The exit status, or 128 + the signal that ended it.
    public var status: Int32 { termination.status }
  }

  /// Runs `path` with `arguments` to its end, with `standardInput` as its input; its output and errors
  /// go through files (a pipe would fill and stall a child that writes more than it is read).
  ///
  /// Past `timeout` seconds the child and its descendants are killed and ``TimedOut`` thrown.
  /// `whileRunning` is called once the child has started (to signal it, say).
  public static func run(path: String, _ arguments: [String], environment: [String: String]? = nil,
                         directory: String? = nil, standardInput: String = "", mergeErrors: Bool = false,
                         timeout: Double? = nil, cancellable: Bool = false,
                         whileRunning: ((ChildProcess) -> Void)? = nil) throws -> Outcome {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-child-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let stdin = folder + "/stdin", stdout = folder + "/stdout", stderr = folder + "/stderr"
    try Data(standardInput.utf8).write(to: URL(fileURLWithPath: stdin))
    let child = try ChildProcess(
      path: path, arguments, environment: environment, directory: directory, input: .file(stdin), output: .file(stdout),
      errors: mergeErrors ? .output : .file(stderr))
    whileRunning?(child)
    let termination = try child.wait(timeout: timeout, cancellable: cancellable)
    func text(_ file: String) -> String { (try? String(contentsOfFile: file, encoding: .utf8)) ?? "" }
    return Outcome(termination: termination, output: text(stdout), errors: mergeErrors ? "" : text(stderr))
  }
}

private func sendSignal(_ pid: pid_t, _ signo: Int32) { _ = kill(pid, signo) }

private func closeDescriptor(_ fd: Int32) { _ = close(fd) }
