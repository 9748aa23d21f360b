import Foundation
import HSQCommands
import HSQCore

/// Runs a script's lines in order; the first error prints `file:line: message` and stops
/// (with `keepGoing`, every error is printed and the script goes on).
///
/// The whole script runs under the session's ``Cancellation``: Ctrl-C stops the command
/// running (or the script between commands), prints `file:line: interrupted …` and the
/// script ends with ``Outcome/interrupted``.
struct ScriptRunner {
  let session: Session
  let json: Bool
  var keepGoing = false

  /// How a script ended.
  enum Outcome: Equatable {
    case succeeded, failed, interrupted

    /// The process's exit status: 0, 1, or 130 (128 + SIGINT) when interrupted.
    var exitCode: Int32 {
      switch self {
      case .succeeded: return 0
      case .failed: return 1
      case .interrupted: return 130
      }
    }
  }

  /// Runs the text of the script file at `path`, which goes on the session's file stack.
  func run(_ text: String, name: String, path: String) -> Outcome {
    do {
      return try session.running(file: path, shown: name) { run(lines: text.textLines, name: name) }
    } catch {
      FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
      return .failed
    }
  }

  /// Runs lines as they come (standard input is read a line at a time, so a program can
  /// drive the session through a pipe); output is flushed after every command.
  func run(lines: some Sequence<String>, name: String) -> Outcome {
    let cancellation = session.cancellation
    cancellation.reset()
    let outcome = cancellation.whileCurrent { () -> Outcome in
      var outcome = Outcome.succeeded
      var lineNumber = 0
      for (i, raw) in lines.enumerated() {
        if cancellation.isCancelled { break }
        lineNumber = i + 1
        let line = raw.trimmingCharacters(in: .whitespaces)
        if line.isEmpty || line.hasPrefix("#") { continue }
        let output = session.execute(line)
        if json {
          print(#"{"line":\#(i + 1),"command":\#(JSONValue.string(line).rendered),"ok":\#(!output.isError),"result":\#(output.json.rendered)}"#)
        } else if !output.text.isEmpty {
          print(output.text)
        }
        fflushStandardOutput()
        if cancellation.isCancelled {
          FileHandle.standardError.write(Data("\(name):\(i + 1): interrupted at \(name):\(i + 1) ('\(line)'); the commands before it ran, the rest did not.\n".utf8))
          return .interrupted
        }
        if let error = output.error {
          FileHandle.standardError.write(Data("\(name):\(i + 1): \(error)\n".utf8))
          outcome = .failed
          if !keepGoing { break }
        }
        if session.shouldExit { break }
      }
      if cancellation.isCancelled {
        // Ctrl-C between commands, or while reading the next line.
        FileHandle.standardError.write(Data("\(name):\(lineNumber): interrupted after line \(lineNumber); the rest did not run.\n".utf8))
        return .interrupted
      }
      return outcome
    }
    try? session.finishRecording()
    session.closeJournal()
    return outcome
  }
}
