import Foundation
import HSQ
@testable import HSQCommands
import Testing
#if canImport(Glibc)
  import Glibc
#endif

/// Issue 20: a scripted session (experiments, `let`, `set` changes, a sweep) run by hsq-repl with a journal,
/// SIGKILLed at seeded random points — after a step, or just before one of the journal's writes — and each
/// time recovered: the session is one the uncrashed run passed through, no further back than the journal's
/// interval, and continuing it reproduces the uncrashed run bit for bit.
@Suite(.serialized) struct JournalFaultInjectionTests {
  static let small = "dataset=linear:d=4,n=64,n-test=16 model=least-squares workers=2 batch=8 compress-threshold=0 eval-epochs=false"
  /// The journal's interval in the runs: a snapshot at least every 4 steps.
  static let interval = 4

  /// The script, one command a line; `step N` lines are split into N units of `step 1` for the reference.
  static let script = [
    "let q = compressor qsgd:bits=2,bucket=4",
    "experiment a \(small) lr=0.05 compressor=q",
    "step 7",
    "experiment b \(small) lr=0.05 seed=3 ef=true compressor=hsq:dim=2,k=4,codebook=gaussian,norm-bits=32",
    "step 9",
    "set lr 0.02",
    "use a",
    "step 6",
    "set compressor identity",
    "sweep sw \(small) lr=0.05,0.1 seeds=0..1 --steps 4 --jobs 1",
    "use b",
    "step 8",
    "set momentum 0.5",
    "step 5",
    "use a",
    "step 5",
  ]

  /// The script as units: every `step N` as N times `step 1`.
  static var units: [String] {
    script.flatMap { line -> [String] in
      guard line.hasPrefix("step "), let n = Int(line.dropFirst(5)) else { return [line] }
      return Array(repeating: "step 1", count: n)
    }
  }

  /// Everything a recovered session must match: each variable (experiments by step, events, settings and the
  /// digest of records and parameters), each sweep's runs and records, the current experiment.
  static func signature(_ s: Session) throws -> [String] {
    var parts: [String] = []
    for name in s.order {
      switch s.variables[name] {
      case let .compressor(c)?: parts.append("let \(name) \(c.spec)")
      case let .codebook(c)?: parts.append("codebook \(name) \(c.name)")
      case let .experiment(e)?:
        parts.append("\(Session.experimentLine(name, e.config)) step=\(e.stepCount) events=\(e.events.count) digest=\(SessionRecorder.digest(e))")
      case nil: break
      }
    }
    for name in s.sweepOrder {
      // Records without their wall times, which differ between any two runs.
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
      let runs = s.sweeps[name]!.runs.map { run in var r = run; r.history = r.history.map(\.withoutTimings); return r }
      let bytes = try encoder.encode(runs)
      parts.append("sweep \(name) \(runs.count) runs \(bytes.reduce(UInt64(0xCBF2_9CE4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 })")
    }
    parts.append("current \(s.current ?? "-")")
    return parts
  }

  static func totalSteps(_ s: Session) -> Int {
    s.experimentNames.reduce(0) { total, name in
      if case let .experiment(e)? = s.variables[name] { return total + e.stepCount } else { return total }
    }
  }

  @Test(.requires("hsq-repl built beside the tests", hasRepl))
  func killedAtFiftyRandomPointsRecoversAndContinuesBitIdentically() throws {
    let folder = try ScriptProcessTests.folder(["session.hsq": Self.script.joined(separator: "\n") + "\n"])
    defer { try? FileManager.default.removeItem(atPath: folder) }
    // The uncrashed run, one unit at a time, with the session's signature before the first unit and after each.
    let reference = Session()
    reference.workingDirectory = folder
    var states = [try Self.signature(reference)]
    var stepsAt = [0]
    for unit in Self.units {
      let out = reference.execute(unit)
      #expect(!out.isError, "reference: \(unit): \(out.error ?? "")")
      states.append(try Self.signature(reference))
      stepsAt.append(Self.totalSteps(reference))
    }
    let totalSteps = stepsAt.last!
    // Seeded kill points: after a step, or before a journal write.
    var rng = RandomStream(seed: 20)
    var points = (0..<32).map { _ in "step:\(1 + Int(rng.next() % UInt64(totalSteps)))" }
    points += (0..<32).map { _ in "write:\(1 + Int(rng.next() % 40))" }
    var killed = 0, recovered = 0, maxLost = 0
    for point in points {
      let journalDir = folder + "/journal-\(killed)"
      let run = try ScriptProcessTests.run(
        ["--journal", "--journal-steps", "\(Self.interval)", "--journal-seconds", "1000", "session.hsq"], in: folder,
        environment: ["HSQ_JOURNAL_DIR": journalDir, "HSQ_JOURNAL_FAULT": point])
      guard run.status == 128 + SIGKILL else {
        // The point lies past the run's end: it finished, and a clean exit leaves nothing to recover.
        #expect(run.status == 0, "\(point): exit status \(run.status); stderr: \(run.errors.suffix(400))")
        #expect(PendingJournal.read(journalDir) == nil, "\(point): a clean exit left a journal")
        continue
      }
      killed += 1
      let journal = try SessionJournal.open(directory: journalDir, settings: JournalSettings(everySteps: Self.interval, everySeconds: 1000), warn: { _ in })
      let s = Session()
      s.workingDirectory = folder
      let report = s.recover(from: journal)
      #expect(report.failures.isEmpty, "\(point): \(report.text)")
      let state = try Self.signature(s)
      guard let at = states.lastIndex(of: state) else {
        Issue.record("\(point): the recovered session is not one the uncrashed run passed through:\n\(state.joined(separator: "\n"))\n\(report.text)")
        s.closeJournal()
        continue
      }
      if point.hasPrefix("step:"), let k = Int(point.dropFirst(5)) {
        let lost = k - stepsAt[at]
        maxLost = max(maxLost, lost)
        #expect(lost >= 0 && lost <= Self.interval, "\(point): recovered at \(stepsAt[at]) steps, \(lost) lost (interval \(Self.interval))")
      }
      for unit in Self.units[at...] {
        let out = s.execute(unit)
        #expect(!out.isError, "\(point): continuing, \(unit): \(out.error ?? "")")
      }
      let final = try Self.signature(s)
      #expect(final == states.last!, "\(point): continuing from unit \(at) does not reproduce the uncrashed run")
      if final == states.last! { recovered += 1 }
      s.closeJournal()
      try? FileManager.default.removeItem(atPath: journalDir)
    }
    print("journal fault injection: \(points.count) points tried, \(killed) killed the session, \(recovered) recovered and continued bit-identically, at most \(maxLost) step(s) lost (interval \(Self.interval))")
    #expect(killed >= 50, "only \(killed) of \(points.count) points fell inside the run")
    #expect(recovered == killed)
  }

  static let hasRepl = FileManager.default.isExecutableFile(atPath: ReplDriver.products.appendingPathComponent("hsq-repl").path)
}
