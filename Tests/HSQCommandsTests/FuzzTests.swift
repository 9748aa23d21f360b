import Foundation
import Synchronization
import HSQCommands
import HSQCore
import HSQ
import HSQTestSupport
import Testing
#if canImport(Glibc)
  import Glibc
#endif

/// Random and mutated lines thrown at the parser and evaluator: no crash, every failure one clean message.
///
/// The sessions run with a memory limit of 512 MB, and each session's peak resident memory
/// (`VmHWM`, in a process of its own) must stay under 1 GB: a fuzzed line such as `batch=1000000` or
/// `hidden=65536-65536` is refused by the budget instead of taking the machine.
@Suite struct FuzzTests {
  /// Cancels any command after a few polls, so a fuzzed `step 999999999` stays cheap.
  final class StepBudget: Sendable {
    let remaining = Atomic<Int>(0)
  }

  static let corpus = [
    "help", "help step", "??theory", "apropos bits", "list compressors", "list settings", "list variables",
    "describe qsgd:bits=2 --d 100", "describe hsq:dim=4,k=8,codebook=gaussian", "let q = compressor topk:k=3",
    "let c = codebook gaussian:dim=4,k=8", "experiment f dataset=linear:d=4,n=32 model=least-squares workers=2 batch=4 compress-threshold=0",
    "set compressor q", "set lr 0.01", "set ef true", "set compressor hsq:dim=2,k=4,codebook=gaussian", "step", "step 3",
    "run --steps 2", "run --loss 0.001 --steps 3", "show", "show config", "show history --last 3", "show events",
    "theory --samples 3", "theory --layer linear.weight", "bound", "compare", "plot loss", "plot rho --x bits --log",
    "experiment b model=mlp:hidden=128 dataset=gaussian-mixture:d=4,n=64,classes=3 workers=8 batch=1000000",
    "experiment h model=mlp:hidden=65536-65536 dataset=gaussian-mixture:d=4,n=64,classes=3",
    "use f", "reset", "export m.csv", "save f.safetensors", "load f.safetensors --as g", "record r.hsq", "record stop", "replay r.hsq",
  ]
  static let vocabulary = [
    "help", "step", "run", "set", "show", "let", "=", "compressor", "codebook", "hsq", "qsgd", "topk", "identity",
    "experiment", "theory", "plot", "--steps", "--samples", "--x", "--svg", "--on", "--as", "1", "0", "-1", "3", "1e9",
    "nan", "inf", "x", "f", "q", "lr", "ef", "true", "dim=4", "k=8", "hsq:dim=0", "hsq:k=", ":", ",", "\"", "'", "#",
    "load", "save", "replay", "record", "stop", "use", "describe", "list", "compare", "bound", "reset", "apropos", "é", "🙂",
  ]

  /// 100,000 lines in all, as ten sessions of 10,000: a session's cost grows with its history
  /// (replays and record digests cover every step so far). Each session runs in a process of its own (an exit
  /// test), so the peak resident memory it is held to is its own, not that of whatever else the test run holds.
  @Test(arguments: 0..<10)
  func tenThousandLinesNeverCrashASession(seed: UInt64) async {
    await #expect(processExitsWith: .success) { [seed] in
      try Self.fuzzSession(seed: seed)
    }
  }

  static func fuzzSession(seed: UInt64) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-fuzz-\(UUID())").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let session = Session()
    session.memoryBudget = MemoryBudget(bytes: 512 << 20, origin: "fuzz")
    session.workingDirectory = dir
    let budget = StepBudget()
    session.cancellation = Cancellation(signal: .init(
      isRaised: { budget.remaining.subtract(1, ordering: .relaxed).newValue < 0 }, lower: {}))
    var rng = RandomStream(seed: 2026 + seed)
    var failures = 0
    for i in 0..<10_000 {
      let line = i % 2 == 0 ? Self.mutate(Self.corpus[rng.int(below: Self.corpus.count)], &rng) : Self.randomLine(&rng)
      budget.remaining.store(3, ordering: .relaxed)
      let output = session.execute(line)
      if let error = output.error {
        failures += 1
        #expect(!error.isEmpty && !error.contains("\n"), "line \(i): '\(line)' gave a malformed error: \(error)")
      }
      if session.shouldExit { break }
    }
    #expect(failures > 1_000, "the fuzzer should produce many bad lines (\(failures))")
    // The fuzzed session still trains: a new experiment steps exactly as in a fresh session.
    budget.remaining.store(.max, ordering: .relaxed)
    #expect(try Self.stepCheck(session) == Self.stepCheck(Session()), "the fuzzed session steps differently")
    #expect(PeakMemory.peakResidentBytes < 1 << 30, "peak RSS \(PeakMemory.peakResidentBytes >> 20) MB with a 512 MB memory limit")
  }

  /// Steps a small seeded experiment twice in `session`; returns its records without timings.
  static func stepCheck(_ session: Session) throws -> [StepRecord] {
    let made = session.execute("experiment fuzzcheck \(FuzzTests.checkExperiment)")
    try #require(!made.isError, "\(made.error ?? "")")
    let step = session.execute("step 2")
    try #require(!step.isError, "\(step.error ?? "")")
    guard case let .experiment(e)? = session.variables["fuzzcheck"] else { throw HSQError.invalidArgument("no experiment") }
    #expect(e.history.map(\.step) == [1, 2])
    for r in e.history {
      #expect(r.trainLoss.isFinite && (r.gradientNorm ?? .nan).isFinite && r.participants == 2 && r.bitsUp > 0, "\(r)")
    }
    #expect(e.history.last?.cumulativeBitsUp == e.history.reduce(0) { $0 + $1.bitsUp })
    return e.history.map(\.withoutTimings)
  }

  static let checkExperiment = "dataset=linear:d=4,n=32 model=least-squares workers=2 batch=4 lr=0.05 compressor=qsgd compress-threshold=0"

  static func randomLine(_ rng: inout RandomStream) -> String {
    (0..<(1 + rng.int(below: 6))).map { _ in vocabulary[rng.int(below: vocabulary.count)] }.joined(separator: rng.bernoulli(0.9) ? " " : "")
  }

  /// Deletes, inserts, swaps or duplicates a few characters.
  static func mutate(_ line: String, _ rng: inout RandomStream) -> String {
    var chars = Array(line)
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789=:,.-_ \"'#?é")
    for _ in 0..<rng.int(below: 4) where !chars.isEmpty {
      let at = rng.int(below: chars.count)
      switch rng.int(below: 4) {
      case 0: chars.remove(at: at)
      case 1: chars.insert(alphabet[rng.int(below: alphabet.count)], at: at)
      case 2: chars.swapAt(at, rng.int(below: chars.count))
      default: chars.insert(chars[at], at: at)
      }
    }
    return String(chars)
  }
}
