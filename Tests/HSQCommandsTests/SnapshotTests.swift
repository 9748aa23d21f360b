import Foundation
import HSQCommands
import HSQTestSupport
import Testing

/// Help text and session transcripts, compared with golden files in `__Snapshots__`
/// (re-record with `HSQ_RECORD_SNAPSHOTS=1 swift test --filter SnapshotTests`).
@Suite struct SnapshotTests {
  /// Each command's text as the REPL prints it, after a `hsq> ` echo of the line.
  static func transcript(_ lines: [String], width: Int = 100, in session: Session = Session()) -> String {
    session.terminalWidth = width
    var out = ""
    for line in lines {
      out += "hsq> \(line)\n"
      let output = session.execute(line)
      if !output.text.isEmpty { out += output.text + "\n" }
      if let error = output.error { out += "error: \(error)\n" }
    }
    return out
  }

  @Test("help: the command list, one command, one component, the extended form")
  func help() {
    assertSnapshot(Self.transcript(["help", "help step", "help hsq", "??theory", "apropos codebook"]), named: "help")
  }

  @Test("the registry: lists and a compressor's description")
  func registry() {
    let lines = ["list compressors", "list models", "list datasets", "describe terngrad --d 1000", "describe hsq:dim=4,k=8,codebook=gaussian --d 64"]
    assertSnapshot(Self.transcript(lines), named: "registry")
  }

  @Test("a small experiment stepped, inspected against the theory, changed and compared")
  func experiment() {
    let lines = [
      "experiment demo dataset=linear:d=8,n=64 model=least-squares workers=2 batch=8 compressor=hsq:dim=4,k=8,codebook=gaussian compress-threshold=0 seed=1",
      "step 3",
      "bound",
      "theory --samples 20",
      "set ef true",
      "step 2",
      "show history",
      "bound",
      "experiment plain dataset=linear:d=8,n=64 model=least-squares workers=2 batch=8 compressor=identity compress-threshold=0 seed=1",
      "step 5",
      "compare",
      "stpe",
      "set compressor hsq:dim=0",
      "use demo",
      "show events",
    ]
    assertSnapshot(Self.transcript(lines, width: 160), named: "experiment")
  }
}
