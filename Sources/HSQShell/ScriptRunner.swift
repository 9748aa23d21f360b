import Foundation
import HSQCommands

/// Runs a script's lines in order; the first error prints `file:line: message` and stops.
struct ScriptRunner {
  let session: Session
  let json: Bool

  /// Returns false when a command failed.
  func run(_ text: String, name: String) -> Bool {
    for (i, raw) in text.components(separatedBy: "\n").enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let output = session.execute(line)
      if json {
        print(#"{"line":\#(i + 1),"command":\#(JSONValue.string(line).rendered),"ok":\#(!output.isError),"result":\#(output.json.rendered)}"#)
      } else if !output.text.isEmpty {
        print(output.text)
      }
      if let error = output.error {
        FileHandle.standardError.write(Data("\(name):\(i + 1): \(error)\n".utf8))
        try? session.finishRecording()
        return false
      }
      if session.shouldExit { break }
    }
    try? session.finishRecording()
    return true
  }
}
