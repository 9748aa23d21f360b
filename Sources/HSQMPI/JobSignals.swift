import Foundation
import Synchronization

/// How the ranks of an `hsq-mpi` job meet the signals `mpirun` sends them.
///
/// - Ctrl-C at the terminal goes to `mpirun` only (each rank has its own process group), and
///   `mpirun` ends the whole job: it sends every rank SIGTERM, then SIGKILL. Rank 0 answers SIGTERM by
///   printing ``farewell`` (which names the last autosave) and leaving with status 143.
/// - SIGUSR1 is forwarded by `mpirun` to every rank: rank 0 turns it into the Ctrl-C of `hsq-repl`
///   (the running command stops between steps, the session goes on), so `kill -USR1 <mpirun's pid>`
///   interrupts a long `run` without ending the job. Other ranks ignore it, and SIGUSR2.
///
/// Open MPI starts threads that unblock every signal, so any thread may take one: the handler only
/// writes the signal's number to a pipe (async-signal-safe), and one thread reads the pipe and acts.
public enum JobSignals {
  private static let state = Mutex((rank: -1, note: ""))
  /// The pipe's write end, read by the handler: set once in ``install()`` before any handler runs.
  nonisolated(unsafe) private static var pipeWriteEnd: Int32 = -1

  /// The line SIGTERM prints on rank 0 (with the autosave in force, when there is one).
  public static var farewell: String {
    let note = state.withLock { $0.note }
    return "hsq-mpi: mpirun ended the job (Ctrl-C, or a rank failed: mpirun's message names it)."
      + (note.isEmpty ? " An experiment with the 'autosave' setting continues from its autosave file: 'load' it (in hsq-repl too)." : " " + note)
  }

  /// Sets what SIGTERM adds to its message, e.g. where the last autosave is.
  public static func setNote(_ text: String) { state.withLock { $0.note = text } }

  /// Says which rank this process is (until then SIGTERM ends it without a message).
  public static func setRank(_ rank: Int) { state.withLock { $0.rank = rank } }

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
    for signo in [SIGTERM, SIGUSR1, SIGUSR2] {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = { signo in
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
    case SIGTERM:
      if rank == 0 { writeStandardError(farewell + "\n") }
      _exit(143)
    case SIGUSR1 where rank == 0:
      kill(getpid(), SIGINT)
    default:
      break
    }
  }
}
