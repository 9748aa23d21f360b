import Foundation
import Synchronization

/// How the ranks of an `hsq-mpi` job meet the signals `mpirun` sends them.
///
/// - Ctrl-C at the terminal goes to `mpirun` only (each rank has its own process group), and
///   `mpirun` ends the whole job: it sends every rank SIGTERM, then SIGKILL. Rank 0 answers SIGTERM by
///   printing ``farewell`` (which names the last autosave) and leaving with status 143, in the handler.
/// - SIGUSR1 is forwarded by `mpirun` to every rank: rank 0 turns it into the Ctrl-C of `hsq-repl`
///   (the running command stops between steps, the session goes on), so `kill -USR1 <mpirun's pid>`
///   interrupts a long `run` without ending the job. Other ranks ignore it, and SIGUSR2.
///
/// Open MPI starts threads that unblock every signal, so any thread may take one. The handler does only
/// what is async-signal-safe: on SIGTERM it writes rank 0's farewell, rendered beforehand, and leaves
/// (`mpirun` sends SIGKILL a second later, so the message must not wait for another thread to be
/// scheduled on a loaded machine); other signals' numbers go down a pipe to one thread that acts on them.
public enum JobSignals {
  private static let state = Mutex((rank: -1, note: ""))
  /// The pipe's write end, read by the handler: set once in ``install()`` before any handler runs.
  nonisolated(unsafe) private static var pipeWriteEnd: Int32 = -1
  /// The address of the SIGTERM line the handler writes: an Int byte count, then the bytes (0: none, not rank 0).
  /// A rendered line is never freed (it is rendered when the rank or the note is set, a few times a run), so
  /// the handler never reads freed memory.
  private static let farewellLine = Atomic<UInt>(0)

  /// The line SIGTERM prints on rank 0 (with the autosave in force, when there is one).
  public static var farewell: String {
    let note = state.withLock { $0.note }
    return "hsq-mpi: mpirun ended the job (Ctrl-C, or a rank failed: mpirun's message names it)."
      + (note.isEmpty ? " An experiment with the 'autosave' setting continues from its autosave file: 'load' it (in hsq-repl too)." : " " + note)
  }

  /// Sets what SIGTERM adds to its message, e.g. where the last autosave is.
  public static func setNote(_ text: String) {
    state.withLock { $0.note = text }
    renderFarewell()
  }

  /// Says which rank this process is (until then SIGTERM ends it without a message).
  public static func setRank(_ rank: Int) {
    state.withLock { $0.rank = rank }
    renderFarewell()
  }

  /// Publishes the line the SIGTERM handler writes: ``farewell`` on rank 0, nothing elsewhere.
  private static func renderFarewell() {
    guard state.withLock({ $0.rank }) == 0 else { return farewellLine.store(0, ordering: .releasing) }
    let bytes = Array((farewell + "\n").utf8)
    let line = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<Int>.size + bytes.count, alignment: MemoryLayout<Int>.alignment)
    line.storeBytes(of: bytes.count, as: Int.self)
    bytes.withUnsafeBytes { (line + MemoryLayout<Int>.size).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
    farewellLine.store(UInt(bitPattern: line), ordering: .releasing)
  }

  /// Installs the handlers of SIGTERM, SIGUSR1 and SIGUSR2 and starts the thread that acts on them.
  public static func install() {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { return }
    pipeWriteEnd = ends[1]
    let readEnd = ends[0]
    let thread = Thread {
      var signo: UInt8 = 0
      while read(readEnd, &signo, 1) == 1 { act(on: Int32(signo)) }
    }
    thread.name = "hsq-mpi signals"
    thread.start()
    _ = farewellLine.load(ordering: .relaxed)  // initialized here, never first in a handler
    for signo in [SIGTERM, SIGUSR1, SIGUSR2] {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = { signo in
        if signo == SIGTERM {
          if let line = UnsafeRawPointer(bitPattern: JobSignals.farewellLine.load(ordering: .acquiring)) {
            _ = write(2, line + MemoryLayout<Int>.size, line.load(as: Int.self))
          }
          _exit(143)
        }
        var byte = UInt8(truncatingIfNeeded: signo)
        _ = write(JobSignals.pipeWriteEnd, &byte, 1)
      }
      sigemptyset(&action.sa_mask)
      action.sa_flags = SA_RESTART
      sigaction(signo, &action, nil)
    }
    var set = sigset_t()
    sigemptyset(&set)
    for signo in [SIGTERM, SIGUSR1, SIGUSR2] { sigaddset(&set, signo) }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
  }

  private static func act(on signo: Int32) {
    let rank = state.withLock { $0.rank }
    switch signo {
    case SIGUSR1 where rank == 0:
      kill(getpid(), SIGINT)
    default:
      break
    }
  }
}
