import CInterrupt

/// Ctrl-C as a flag: set by a SIGINT handler, polled by whoever is working.
///
/// ``install()`` replaces the default SIGINT action (kill the process) with a
/// C handler that only sets a `sig_atomic_t` flag, installed without
/// `SA_RESTART` so a blocking read returns `EINTR`. At the prompt that makes
/// the line editor return ``LineInput/interrupted``; during a long command the
/// session's cancellation token reads ``isRequested`` (every long loop polls
/// it) and the command stops, keeping the state. Reset the flag before
/// starting work that polls it.
///
/// Dispatch worker threads block SIGINT, so the process's Ctrl-C is handled
/// on a thread that does not (normally the main thread); a `read` on a
/// worker thread is not interrupted. The flag itself is process-wide.
public enum Interrupt {
  /// Installs the SIGINT handler (idempotent, process-wide).
  ///
  /// Line editors that need it install it themselves; a program that runs
  /// long work without a line editor (a script) calls it once at start.
  public static func install() {
    let status = hsq_interrupt_install()
    precondition(status == 0, "sigaction(SIGINT) failed: \(lastErrorText())")
  }

  /// True when Ctrl-C (SIGINT) arrived since the last ``reset()``.
  public static var isRequested: Bool { hsq_interrupt_requested() != 0 }

  /// Clears the flag, e.g. before starting a run or after handling an interrupt.
  public static func reset() { hsq_interrupt_reset() }

  /// Reads up to `buffer.count` bytes from `descriptor`, unless Ctrl-C comes first.
  ///
  /// A plain `read` misses a Ctrl-C that lands just before it (while the
  /// caller is still redrawing the line, say) and blocks until the next key.
  /// This one checks the flag and waits with SIGINT unblocked in one step.
  ///
  /// - Returns: The byte count (0 at end of input), or -1 with `errno` set:
  ///   `EINTR` when the flag is raised (it stays raised).
  public static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
    hsq_interrupt_read(descriptor, buffer.baseAddress, buffer.count)
  }

  /// A non-blocking descriptor of the terminal `descriptor` is on, to ``read(_:into:)`` it with.
  ///
  /// Ctrl-C makes a terminal discard the keys typed ahead, so input seen
  /// waiting can be gone when the read comes; on this descriptor that read
  /// returns at once and the wait starts over. The shell's descriptor of the
  /// terminal keeps its own flags.
  ///
  /// - Returns: The new descriptor (the caller closes it), or `nil` when
  ///   `descriptor` is not a terminal or the terminal cannot be opened again.
  public static func terminalReader(for descriptor: Int32) -> Int32? {
    let reader = hsq_interrupt_open_terminal_reader(descriptor)
    return reader >= 0 ? reader : nil
  }

  /// True when the handler is in place (and without `SA_RESTART`).
  public static var isInstalled: Bool { hsq_interrupt_is_installed() != 0 }
}
