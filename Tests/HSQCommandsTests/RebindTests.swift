import Foundation
import HSQ
import HSQCommands
import Testing

/// Binding a name that holds an experiment with steps needs `--replace`: nothing with work in it is
/// overwritten without asking; a pristine experiment and compressor or codebook variables rebind freely.
@Suite struct RebindTests {
  static let small = "dataset=linear:d=4,n=64,n-test=16 model=least-squares workers=2 batch=8 lr=0.05"

  /// The step count of experiment `name`, or -1 when `name` is not an experiment.
  static func step(_ s: Session, _ name: String) -> Int {
    if case let .experiment(e)? = s.variables[name] { return e.stepCount }
    return -1
  }

  @Test func anExperimentWithStepsIsNotReplacedByExperimentLetOrLoad() throws {
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    let s = Session()
    s.workingDirectory = scratch.url.path
    #expect(!s.execute("experiment e \(Self.small)").isError)
    #expect(!s.execute("step 3").isError)
    #expect(!s.execute("save e.safetensors").isError)
    let refusal = "'e' is an experiment at step 3; choose another name (e.g. 'e2') or add --replace."
    #expect(s.execute("experiment e \(Self.small)").error == refusal)
    #expect(s.execute("let e = compressor identity").error == refusal)
    #expect(s.execute("load e.safetensors --as e").error == refusal)
    #expect(s.execute("load e.safetensors").error == refusal, "the default name is the file's, 'e'")
    #expect(Self.step(s, "e") == 3)
    // Asked for: replaced.
    #expect(!s.execute("experiment e \(Self.small) --replace").isError)
    #expect(Self.step(s, "e") == 0)
    #expect(!s.execute("load e.safetensors --as e --replace").isError)
    #expect(Self.step(s, "e") == 3)
    #expect(!s.execute("let e = compressor identity --replace").isError)
    #expect(s.variables["e"]?.kind == "compressor")
    // The suggested name is free.
    #expect(!s.execute("experiment e2 \(Self.small)").isError && !s.execute("step").isError)
    #expect(s.execute("load e.safetensors --as e2").error == "'e2' is an experiment at step 1; choose another name (e.g. 'e3') or add --replace.")
  }

  @Test func aPristineExperimentAndComponentVariablesRebindFreely() {
    let s = Session()
    #expect(!s.execute("experiment p \(Self.small)").isError)
    #expect(!s.execute("experiment p \(Self.small) lr=0.01").isError, "an experiment at step 0 holds no work")
    #expect(!s.execute("let q = compressor identity").isError)
    #expect(!s.execute("let q = compressor topk:k=2").isError)
    #expect(!s.execute("let q = codebook gaussian:dim=4,k=8").isError)
    #expect(s.variables["q"]?.kind == "codebook")
  }

  /// `let q = compressor` with no spec was told "'let' takes one spec without spaces".
  @Test func aLetWithoutItsSpecSaysSo() {
    let s = Session()
    #expect(s.execute("let q = compressor").error == "'let q = compressor' needs the compressor's spec, e.g. 'let q = compressor hsq:dim=16,k=256'.")
    #expect(s.execute("let c = codebook").error == "'let c = codebook' needs the codebook's spec, e.g. 'let c = codebook gaussian:dim=16,k=256'.")
    #expect(s.execute("let q = compressor qsgd topk").error?.contains("one spec without spaces") == true)
  }

  @Test func tourAgainDoesNotResetTheTourExperiment() {
    let s = Session()
    #expect(!s.execute("experiment first \(Self.small)").isError)
    #expect(!s.execute("step 2").isError)
    #expect(s.execute("tour").error == "'first' is an experiment at step 2; choose another name (e.g. 'first2') or add --replace.")
    #expect(Self.step(s, "first") == 2)
  }

  @Test func resetStillStartsOver() {
    let s = Session()
    #expect(!s.execute("experiment e \(Self.small)").isError)
    #expect(!s.execute("step 2").isError)
    #expect(!s.execute("reset").isError, "reset is the explicit way back to step 0")
    #expect(Self.step(s, "e") == 0)
  }
}
