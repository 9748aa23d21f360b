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
    let box = MainThreadSession(session: session)
    editor.completer = { line, cursor in
      let result = box.session.complete(line, cursor: cursor)
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

  func finish() {
    do { try session.finishRecording() } catch { print("error: \(error)") }
  }
}

import CEditLine

/// Flushes C's stdout so output appears before the next prompt or during a long run.
func fflushStandardOutput() {
  fflush(hsq_stdout())
}

/// The session, handed to libedit's completion callback, which runs on the main thread between reads.
private struct MainThreadSession: @unchecked Sendable {
  let session: Session
}
