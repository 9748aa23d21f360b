// A tiny REPL that exercises HSQLineEditor end to end (driven by Tests/tmux/line_editor.sh).
//
// Commands: any line is echoed as "you typed: …"; `sleep-steps` runs 50 steps
// of 100 ms, printing a dot per step, and stops early on Ctrl-C; `quit` or
// Ctrl-D leaves. Tab completes the first word over a fixed list.
import HSQLineEditor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

let words = ["help", "hello", "history", "step", "stats", "sleep-steps", "quit"]

/// Completes the word before the cursor against `words`.
@Sendable func completeWord(_ line: String, _ cursor: Int) -> Completion {
  let beforeCursor = line.prefix(cursor)
  let start = beforeCursor.lastIndex(of: " ").map { beforeCursor.distance(from: beforeCursor.startIndex, to: $0) + 1 } ?? 0
  let word = beforeCursor.dropFirst(start)
  return Completion(start: start, candidates: words.filter { $0.hasPrefix(word) })
}

/// 50 steps of 100 ms; stops between steps when Ctrl-C was pressed.
func sleepSteps() {
  Interrupt.reset()
  let total = 50
  for step in 0..<total {
    if Interrupt.isRequested {
      Interrupt.reset()
      print("\ninterrupted after \(step) steps")
      return
    }
    var pause = timespec(tv_sec: 0, tv_nsec: 100_000_000)
    var left = timespec()
    while nanosleep(&pause, &left) != 0, errno == EINTR, !Interrupt.isRequested { pause = left }
    print(".", terminator: "")
    fflush(nil)
  }
  print("\ndone after \(total) steps")
}

Interrupt.install()
let editor = makeLineEditor(historyPath: defaultHistoryPath(fileName: ".hsq_history"))
editor.completer = completeWord
loop: while true {
  switch editor.readLine(prompt: "demo> ") {
  case .endOfInput:
    print("")
    break loop
  case .interrupted:
    print("^C")
  case .line(let line):
    editor.addHistory(line)
    switch String(line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")) {
    case "quit": break loop
    case "sleep-steps": sleepSteps()
    default: print("you typed: \(line)")
    }
  }
}
