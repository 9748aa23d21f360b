import Foundation
import HSQCommands
import Testing

/// What the REPL says about an experiment's state: after a divergence, and how much memory it takes.
@Suite struct ExperimentStateTests {
  static func session() -> Session {
    let s = Session()
    s.workingDirectory = FileManager.default.temporaryDirectory.path
    s.outputDirectory = FileManager.default.temporaryDirectory.path
    return s
  }

  @Test func afterADivergenceTheAdviceWorks() {
    let s = Self.session()
    #expect(!s.execute("experiment d model=least-squares dataset=linear:d=8,n=256 batch=4 workers=2 lr=0.9 momentum=0.99").isError)
    let diverged = s.execute("run --steps 200")
    #expect(diverged.error?.contains("Diverged at step") == true, "\(diverged.error ?? diverged.text)")
    let file = "hsq-diverged-\(UUID()).safetensors"
    defer { try? FileManager.default.removeItem(atPath: FileManager.default.temporaryDirectory.appendingPathComponent(file).path) }
    #expect(!s.execute("save \(file)").isError)
    for name in ["d", "reloaded"] {
      if name == "reloaded" { #expect(!s.execute("load \(file) --as reloaded").isError) }
      #expect(!s.execute("set lr 0.000001").isError)
      #expect(!s.execute("set momentum 0").isError)
      let step = s.execute("step 1")
      #expect(!step.isError, "\(name): \(step.error ?? "")")
      #expect(!s.execute("run --steps 20").isError, "\(name)")
    }
  }

  @Test func showSaysHowBigTheExperimentIsInMemory() {
    let s = Self.session()
    // least squares on 4 features: 5 parameters, 20 bytes per copy.
    #expect(!s.execute("experiment e dataset=linear:d=4,n=64,n-test=16 model=least-squares workers=2 batch=8 ef=true compress-threshold=0 compressor=hsq:dim=2,k=4,codebook=gaussian").isError)
    let before = s.execute("show").text
    #expect(before.contains("In memory: "), "\(before)")
    #expect(before.contains("parameters 40 B"), "x and x₀: \(before)")
    #expect(before.contains("history 0 B (0 steps)"), "\(before)")
    _ = s.execute("step 3")
    let after = s.execute("show").text
    let line = after.split(separator: "\n").first { $0.hasPrefix("In memory: ") }.map(String.init) ?? ""
    #expect(line.contains("velocity 20 B"), "\(line)")
    #expect(line.contains("error-feedback memories 40 B"), "2 workers: \(line)")
    #expect(line.contains("(3 steps)"), "\(line)")
    #expect(!line.contains("history 0 B"), "\(line)")
  }
}
