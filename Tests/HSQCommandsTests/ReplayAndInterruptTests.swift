import Foundation
import HSQCommands
import HSQCore
import HSQTestSupport
import Testing

/// Replays that cannot recurse, long commands that stop on Ctrl-C, files that run code only when allowed
/// (issue 11, items 2, 5, 6, 12, 13, 14).
@Suite struct ReplayAndInterruptTests {
  /// A fresh folder and a session working in it.
  static func session() throws -> (Session, String) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-replay-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let s = Session()
    s.workingDirectory = folder
    return (s, folder)
  }

  static let small = "experiment e dataset=linear:d=4,n=64,n-test=16 model=least-squares workers=2 batch=8 lr=0.05 compress-threshold=0"

  static func write(_ text: String, _ name: String, in folder: String) throws {
    try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
  }

  /// Runs `line`, cancelling the session's token `delay` seconds after it starts; returns the output and the seconds it took after the cancel.
  static func interrupted(_ s: Session, _ line: String, after delay: Double = 0.5) -> (CommandOutput, Double) {
    let token = s.cancellation
    let clock = ContinuousClock()
    let start = clock.now
    later(delay) { token.cancel() }
    let output = s.execute(line)
    let elapsed = clock.now - start
    return (output, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18 - delay)
  }

  @Test func aScriptThatReplaysItselfIsACycleNotACrash() throws {
    let (s, folder) = try Self.session()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try Self.write("replay self.hsq\n", "self.hsq", in: folder)
    let out = s.execute("replay self.hsq")
    #expect(out.error?.contains("replays itself") == true, "\(out.error ?? "no error")")
    #expect(out.error?.contains("self.hsq → self.hsq") == true)
    try Self.write("replay b.hsq\n", "a.hsq", in: folder)
    try Self.write("replay a.hsq\n", "b.hsq", in: folder)
    #expect(s.execute("replay a.hsq --check").error?.contains("a.hsq → b.hsq → a.hsq") == true)
    #expect(s.fileStack.isEmpty)
    #expect(!s.execute(Self.small).isError, "the session goes on")
  }

  @Test func replaysNestAtMostSixteenDeep() throws {
    let (s, folder) = try Self.session()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    for i in 0..<20 { try Self.write("replay n\(i + 1).hsq\n", "n\(i).hsq", in: folder) }
    try Self.write("help\n", "n20.hsq", in: folder)
    let out = s.execute("replay n0.hsq")
    #expect(out.error?.contains("nest more than 16 deep") == true, "\(out.error ?? "no error")")
    for i in 0..<20 { try FileManager.default.removeItem(atPath: folder + "/n\(i).hsq") }
    for i in 0..<15 { try Self.write("replay n\(i + 1).hsq\n", "n\(i).hsq", in: folder) }
    try Self.write("help\n", "n15.hsq", in: folder)
    #expect(!s.execute("replay n0.hsq").isError, "16 files deep is allowed")
  }

  @Test func anInterruptedReplayStopsAtItsLineAndRunsNothingAfter() throws {
    let (s, folder) = try Self.session()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try Self.write("\(Self.small)\nrun --steps 100000000\nsave after.safetensors\n", "long.hsq", in: folder)
    let (out, seconds) = Self.interrupted(s, "replay long.hsq")
    #expect(out.error?.contains("Interrupted at long.hsq:2") == true, "\(out.error ?? "no error")")
    #expect(seconds < 2)
    #expect(!FileManager.default.fileExists(atPath: folder + "/after.safetensors"), "nothing after the interrupted line ran")
    // The interrupt is cleared when the next command starts: 'step' steps.
    let before = s.execute("show").text
    #expect(!s.execute("step 2").isError)
    #expect(s.execute("show").text != before)
  }

  @Test func longCommandsStopAndLeaveTheSessionAsItWas() throws {
    let (s, folder) = try Self.session()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    #expect(!s.execute(Self.small).isError)
    #expect(!s.execute("step 1").isError)
    let cases = [
      "codebook kmeans:dim=2,k=65536,seed=77 --samples 100",
      "experiment big compressor=hsq:codebook=kmeans,k=65536,dim=2,seed=78",
      "set compressor hsq:codebook=kmeans,k=65536,dim=2,seed=79",
      "theory --samples 1000000",
      "check qsgd:bits=2 --draws 1000000",
    ]
    for line in cases {
      let before = s.execute("show config").text
      let (out, seconds) = Self.interrupted(s, line)
      #expect(out.error == "Interrupted.", "'\(line)': \(out.error ?? "no error")")
      #expect(seconds < 2, "'\(line)' stopped \(seconds) s after Ctrl-C")
      #expect(s.execute("show config").text == before, "'\(line)' left the session as it was")
      #expect(s.current == "e")
    }
    #expect(s.execute("experiment one compressor=hsq:codebook=kmeans,k=65536,dim=1").error?.contains("use k=1 or dim ≥ 2") == true,
            "one dimension: a clear error, not minutes of training")
    let (run, seconds) = Self.interrupted(s, "run --steps 100000000")
    #expect(run.text.contains("Interrupted after"))
    #expect(seconds < 2)
  }

  @Test func filesLoadCodeOnlyWhenAllowed() throws {
    let (s, folder) = try Self.session()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try Self.write("load AddOn.swift\n", "trusting.hsq", in: folder)
    try Self.write("// not compiled\n", "AddOn.swift", in: folder)
    let out = s.execute("replay trusting.hsq")
    #expect(out.error?.contains("--allow-load") == true, "\(out.error ?? "no error")")
    #expect(s.execute("replay trusting.hsq --check").error?.contains("--allow-load") == true)
    // A .json directory is neither an add-on nor a checkpoint.
    try FileManager.default.createDirectory(atPath: folder + "/results.json", withIntermediateDirectories: true)
    try Self.write("// would compile\n", "results.json/Evil.swift", in: folder)
    let json = s.execute("load results.json")
    #expect(json.error?.contains("is a directory, not a file written by 'save'") == true, "\(json.error ?? "no error")")
    try FileManager.default.createDirectory(atPath: folder + "/empty", withIntermediateDirectories: true)
    #expect(s.execute("load empty").error?.contains("neither Package.swift nor .swift files") == true)
  }

  @Test func confinedWritesStayInTheOutputFolder() throws {
    let (s, folder) = try Self.session()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    s.outputDirectory = folder
    s.confinesWrites = true
    #expect(!s.execute(Self.small).isError)
    for line in ["export /tmp/hsq-escape-\(UUID().uuidString).csv", "export ../escape.csv", "save sub/../../escape.safetensors", "plot loss --svg ../x.svg"] {
      #expect(s.execute(line).error?.contains("outside the folder") == true, "'\(line)' is refused")
    }
    #expect(!s.execute("export inside.csv").isError)
  }

  @Test func crlfScriptsReplayLineByLine() throws {
    let (s, folder) = try Self.session()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try Self.write("\(Self.small)\r\nstep 2\r\n", "crlf.hsq", in: folder)
    let out = s.execute("replay crlf.hsq")
    #expect(out.text == "Replayed 2 commands from crlf.hsq.", "\(out.error ?? out.text)")
    #expect(s.execute("show").text.hasPrefix("step 2"))
  }

  @Test func unknownLayersAreErrorsWithASuggestion() throws {
    let (s, folder) = try Self.session()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    #expect(!s.execute(Self.small).isError)
    #expect(!s.execute("step 2").isError)
    for line in ["theory --layer nosuch", "plot rho --layer nosuch", "theory --samples 5 --layer nosuch"] {
      let out = s.execute(line)
      #expect(out.error?.hasPrefix("Unknown layer") == true, "'\(line)': \(out.error ?? "no error")")
      #expect(out.error?.hasSuffix("The model's layers: linear.weight, linear.bias.") == true, "'\(line)': \(out.error ?? "no error")")
    }
    #expect(s.execute("plot rho --layer linear.weigth").error?.contains("Did you mean 'linear.weight'?") == true)
  }
}
