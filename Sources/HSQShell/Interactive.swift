import Foundation
import HSQCommands
import HSQCore
import HSQLineEditor

/// The interactive loop: libedit prompt, history, Tab completion, Ctrl-C stops the command running.
struct Interactive {
  let session: Session
  let json: Bool

  func run() {
    let home = ProcessInfo.processInfo.environment["HOME"] ?? NSTemporaryDirectory()
    let editor = makeLineEditor(historyPath: home + "/.hsq_history")
    // libedit calls the completer on this (the main) thread, between reads.
    let box = ThreadBound(session)
    editor.completer = { line, cursor in
      let result = box.value.complete(line, cursor: cursor)
      return Completion(start: result.start, candidates: result.candidates)
    }
    Interrupt.install()
    session.cancellation = Cancellation(signal: .controlC)
    session.progress = { line in print(line); fflushStandardOutput() }
    print("hsq \(hsqVersion) — Hyper-Sphere Quantization workbench. Type 'tour' for a guided first experiment, 'help' for commands, Ctrl-D to leave.")
    while !session.shouldExit {
      Interrupt.reset()
      switch editor.readLine(prompt: session.current.map { "hsq[\($0)]> " } ?? "hsq> ") {
      case .endOfInput:
        print("")
        finish()
        return
      case .interrupted:
        print("^C")
        continue
      case let .line(line):
        if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
        editor.addHistory(line)
        let output = session.execute(line)
        if json {
          print(output.json.rendered)
        } else {
          if !output.text.isEmpty { print(output.text) }
          if let error = output.error, !output.text.contains(error) { print("error: \(error)") }
        }
        fflushStandardOutput()
      }
    }
    finish()
  }

  /// A clean exit (Ctrl-D, `quit`): the recording gets its checks, the journal is closed and removed.
  func finish() {
    do { try session.finishRecording() } catch { print("error: \(error)") }
    session.closeJournal()
  }
}

import CEditLine

/// Flushes C's stdout so output appears before the next prompt or during a long run.
func fflushStandardOutput() {
  fflush(hsq_stdout())
}

/// A value usable only on the thread that wrapped it, as swift-nio's `NIOLoopBound`: here the
/// session, handed to libedit's completion callback, which runs on the reading thread between reads.
///
/// `@unchecked Sendable` so that the callback may hold it; the invariant is enforced: ``value``
/// read on any other thread stops with a precondition failure.
private struct ThreadBound<Value>: @unchecked Sendable {
  private let wrapped: Value
  private let thread = pthread_self()

  init(_ value: Value) { wrapped = value }

  var value: Value {
    precondition(pthread_equal(thread, pthread_self()) != 0, "a thread-bound value was used off the thread that made it.")
    return wrapped
  }
}
