import Foundation
import HSQ
import HSQCommands
import Testing
#if canImport(Glibc)
  import Glibc
#endif

/// `record` writes through: every recorded command is on disk as soon as it has run, so a killed
/// session leaves a script that replays; a recording started mid-session begins with what recreates
/// the session's state, so `replay --check` of it passes.
@Suite struct RecordingTests {
  static let small = "dataset=linear:d=4,n=64,n-test=16 model=least-squares workers=2 batch=8 lr=0.05 compressor=hsq:dim=2,k=4,codebook=gaussian,norm-bits=32 compress-threshold=0"

  /// A session working in `dir`.
  static func session(in dir: String) -> Session {
    let s = Session()
    s.workingDirectory = dir
    return s
  }

  @Test func recordedCommandsAreOnDiskBeforeRecordStop() throws {
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    let dir = scratch.url.path
    let s = Self.session(in: dir)
    #expect(!s.execute("record r.hsq").isError)
    #expect(!s.execute("experiment e \(Self.small)").isError)
    #expect(!s.execute("step 2").isError)
    let lines = try String(contentsOfFile: dir + "/r.hsq", encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 3 && lines[1].hasPrefix("experiment e ") && lines[2] == "step 2", "\(lines)")
    #expect(!s.execute("record stop").isError)
    let check = Self.session(in: dir)
    #expect(!check.execute("replay r.hsq --check").isError)
  }

  @Test func aRecordingStartedMidSessionReplaysBitIdentically() throws {
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    let dir = scratch.url.path
    let s = Self.session(in: dir)
    for line in ["experiment a \(Self.small)", "step 3", "set lr 0.02", "step 2", "let q = compressor topk:k=2",
                 "let cb = codebook gaussian:dim=2,k=4", "experiment p \(Self.small) seed=7", "experiment z \(Self.small)", "set momentum 0.5",
                 "use a", "record r.hsq", "step 2", "experiment n \(Self.small) compressor=q", "step 1", "use p", "step 1", "use a", "record stop"] {
      let out = s.execute(line)
      #expect(!out.isError, "\(line): \(out.error ?? "")")
    }
    let script = try String(contentsOfFile: dir + "/r.hsq", encoding: .utf8)
    #expect(script.contains("\nexperiment p "), "a pristine experiment is recreated by its experiment line")
    #expect(script.contains("\nload r.a.safetensors --as a\n"), "an experiment with steps comes back from a checkpoint beside the recording")
    #expect(script.contains("\nload r.z.safetensors --as z\n"), "so does one with events at step 0")
    #expect(script.contains("\nlet q = compressor topk:k=2\n") && script.contains("\nlet cb = codebook gaussian:dim=2,k=4"))
    let check = Self.session(in: dir)
    let out = check.execute("replay r.hsq --check")
    #expect(!out.isError, "\(out.error ?? "")\n\(script)")
    #expect(out.text.components(separatedBy: "identical").count - 1 == 4, "\(out.text)")
    #expect(script.contains("\nuse a\nstep 2\n"), "the current experiment is part of the state")
  }

  @Test("a SIGKILLed hsq-repl leaves a recording with every command so far, and it replays",
        .enabled(if: FileManager.default.isExecutableFile(atPath: ReplDriver.products.appendingPathComponent("hsq-repl").path)))
  func aKilledSessionLeavesAReplayableRecording() throws {
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    let repl = try ReplDriver(directory: scratch.url)
    for line in ["experiment e \(Self.small)", "step 1", "record r.hsq", "step 2", "set lr 0.01", "step 3"] {
      let answer = try repl.send(line)
      try #require(answer.ok, "\(line): \(answer.error)")
    }
    repl.process.signal(SIGKILL)
    #expect(try repl.process.wait(timeout: 60).signal == SIGKILL)
    let script = try String(contentsOf: scratch.url.appendingPathComponent("r.hsq"), encoding: .utf8)
    #expect(script.hasSuffix("step 2\nset lr 0.01\nstep 3\n"), "\(script)")
    let replay = Self.session(in: scratch.url.path)
    let out = replay.execute("replay r.hsq")
    #expect(!out.isError, "\(out.error ?? "")\n\(script)")
    if case let .experiment(e)? = replay.variables["e"] { #expect(e.stepCount == 6) } else { Issue.record("no experiment 'e' after the replay") }
  }
}
