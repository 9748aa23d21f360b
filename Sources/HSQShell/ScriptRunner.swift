import Foundation
import HSQCommands

/// Runs a script's lines in order; the first error prints `file:line: message` and stops
/// (with `keepGoing`, every error is printed and the script goes on).
struct ScriptRunner {
  let session: Session
  let json: Bool
  var keepGoing = false

  /// Returns false when a command failed.
  func run(_ text: String, name: String) -> Bool {
    run(lines: text.components(separatedBy: "\n"), name: name)
  }

  /// Runs lines as they come (standard input is read a line at a time, so a program can
  /// drive the session through a pipe); output is flushed after every command.
  func run(lines: some Sequence<String>, name: String) -> Bool {
    var ok = true
    for (i, raw) in lines.enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let output = session.execute(line)
      if json {
        print(#"{"line":\#(i + 1),"command":\#(JSONValue.string(line).rendered),"ok":\#(!output.isError),"result":\#(output.json.rendered)}"#)
      } else if !output.text.isEmpty {
        print(output.text)
      }
      fflushStandardOutput()
      if let error = output.error {
        FileHandle.standardError.write(Data("\(name):\(i + 1): \(error)\n".utf8))
        ok = false
        if !keepGoing { break }
      }
      if session.shouldExit { break }
    }
    try? session.finishRecording()
    return ok
  }
}
