import Foundation
import HSQLineEditor
import Synchronization
import Testing

/// Runs `body` with SIGINT unblocked on this thread, then restores the mask.
///
/// Swift Testing runs tests on dispatch worker threads, which block SIGINT
/// (a real REPL reads on the main thread, where it is not blocked).
private func withSIGINTUnblocked<T>(_ body: () throws -> T) rethrows -> T {
  var set = sigset_t()
  var old = sigset_t()
  sigemptyset(&set)
  sigaddset(&set, SIGINT)
  pthread_sigmask(SIG_UNBLOCK, &set, &old)
  defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
  return try body()
}

/// What the reader thread shares with the test: its id and its results.
private final class ReaderProbe: Sendable {
  let state = Mutex<(thread: pthread_t?, results: [LineInput])>((nil, []))
  let release = DispatchSemaphore(value: 0)
}

/// Runs `makeReader(readEnd)` on its own thread and reads two lines while the
/// test sends SIGINT to that thread until the first read returns, then writes
/// "after\n": the first result must be `.interrupted`, the second the line.
private func interruptBlockedRead(_ makeReader: @escaping @Sendable (Int32) throws -> any LineEditor) throws
  -> [LineInput]
{
  var ends: [Int32] = [0, 0]
  try #require(pipe(&ends) == 0)
  let (readEnd, writeEnd) = (ends[0], ends[1])
  defer { close(readEnd) }
  var writerOpen = true
  defer { if writerOpen { close(writeEnd) } }
  let probe = ReaderProbe()
  let thread = Thread {
    withSIGINTUnblocked {
      probe.state.withLock { $0.thread = pthread_self() }
      var results: [LineInput] = []
      if let reader = try? makeReader(readEnd) {
        results.append(reader.readLine(prompt: ""))
        probe.state.withLock { $0.results = results }
        results.append(reader.readLine(prompt: ""))
      }
      probe.state.withLock { $0.results = results + [.endOfInput] }
      probe.release.wait()  // stay alive until the test stops signalling this thread
    }
  }
  thread.start()
  // Signal every 20 ms (the first may land before the read blocks) for at most 5 s.
  for _ in 0..<250 {
    let (target, count) = probe.state.withLock { ($0.thread, $0.results.count) }
    if count > 0 { break }
    if let target { pthread_kill(target, SIGINT) }
    usleep(20_000)
  }
  _ = "after\n".withCString { write(writeEnd, $0, 6) }
  close(writeEnd)
  writerOpen = false
  var results: [LineInput] = []
  for _ in 0..<500 {
    results = probe.state.withLock { $0.results }
    if results.last == .endOfInput { break }
    usleep(10_000)
  }
  probe.release.signal()
  return Array(results.dropLast())
}

/// Raises the flag as a Ctrl-C landing between two reads would, then reads two lines from a pipe
/// that gets "after\n" only a second later: a reader that misses the flag blocks until then and
/// returns the line first.
private func interruptBeforeTheRead(_ makeReader: (Int32) throws -> any LineEditor) throws -> [LineInput] {
  var ends: [Int32] = [0, 0]
  try #require(pipe(&ends) == 0)
  let (readEnd, writeEnd) = (ends[0], ends[1])
  defer { close(readEnd) }
  let reader = try makeReader(readEnd)
  let writer = Thread {
    usleep(1_000_000)
    _ = "after\n".withCString { write(writeEnd, $0, 6) }
    close(writeEnd)
  }
  withSIGINTUnblocked { _ = raise(SIGINT) }
  writer.start()
  return [reader.readLine(prompt: ""), reader.readLine(prompt: "")]
}

@Suite("Interrupt", .serialized)
struct InterruptTests {
  @Test func installsAHandlerWithoutSARestart() {
    Interrupt.install()
    #expect(Interrupt.isInstalled)
    var current = sigaction()
    #expect(sigaction(SIGINT, nil, &current) == 0)
    #expect(current.sa_flags & Int32(SA_RESTART) == 0)
  }

  @Test func raiseSetsTheFlagAndResetClearsIt() {
    Interrupt.install()
    Interrupt.reset()
    #expect(!Interrupt.isRequested)
    withSIGINTUnblocked { _ = raise(SIGINT) }
    #expect(Interrupt.isRequested)
    Interrupt.reset()
    #expect(!Interrupt.isRequested)
  }

  @Test func ctrlCInterruptsABlockedPlainRead() throws {
    Interrupt.install()
    let results = try interruptBlockedRead { PlainLineReader(fileDescriptor: $0) }
    Interrupt.reset()
    #expect(results == [.interrupted, .line("after")])
  }

  @Test func ctrlCInterruptsABlockedLibEditRead() throws {
    Interrupt.install()
    let results = try interruptBlockedRead { input in
      let output = open("/dev/null", O_WRONLY)
      defer { close(output) }
      return try LibEditLineEditor(historyPath: nil, input: input, output: output)
    }
    Interrupt.reset()
    #expect(results == [.interrupted, .line("after")])
  }

  @Test func aCtrlCJustBeforeAPlainReadInterruptsIt() throws {
    Interrupt.install()
    Interrupt.reset()
    let results = try interruptBeforeTheRead { PlainLineReader(fileDescriptor: $0) }
    Interrupt.reset()
    #expect(results == [.interrupted, .line("after")])
  }

  /// The prompt that hung for 30 s in CI: Ctrl-C landed while libedit drew a typed key.
  @Test func aCtrlCJustBeforeALibEditReadInterruptsIt() throws {
    Interrupt.install()
    Interrupt.reset()
    let results = try interruptBeforeTheRead { input in
      let output = open("/dev/null", O_WRONLY)
      defer { close(output) }
      return try LibEditLineEditor(historyPath: nil, input: input, output: output)
    }
    Interrupt.reset()
    #expect(results == [.interrupted, .line("after")])
  }
}
