import Foundation
import HSQ
import Testing

@testable import HSQCommands

/// `sweep`, `compare` of a sweep, `plot --sweep`, `export` in long format, `save`/`load` of sweeps, `eval`, `show partition`.
@Suite struct SweepCommandTests {
  static let base = "dataset=gaussian-mixture:classes=4,d=40,n=800,n-test=200 model=mlp:hidden=32 workers=4 batch=16 compress-threshold=100"

  static func session() -> Session {
    let s = Session()
    s.workingDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-sweep-\(UUID())").path
    try? FileManager.default.createDirectory(atPath: s.workingDirectory, withIntermediateDirectories: true)
    s.showsTimings = false
    return s
  }

  static func run(_ s: Session, _ line: String) -> CommandOutput {
    let out = s.execute(line)
    #expect(!out.isError, "'\(line)': \(out.error ?? "")")
    return out
  }

  /// The recorded line reruns the sweep to the same records; compare groups by configuration with intervals and pairs.
  @Test func sweepCompareAndReplay() throws {
    let s = Self.session()
    let out = Self.run(s, "sweep cmp \(Self.base) compressor=identity,qsgd:bits=2,bucket=64 lr=0.1 seeds=0..2 --steps 8 --jobs 2")
    #expect(out.text.contains("Sweep cmp: 2 configuration(s) × 3 seed(s) = 6 runs, each 8 steps."))
    #expect(out.text.contains("c2      compressor=qsgd:bits=2,bucket=64      3"))
    #expect(out.text.contains(" ± "))
    #expect(out.text.contains("Paired differences over the same seeds"))
    #expect(out.text.contains("step 8, 200 images"))
    let sweep = try #require(s.sweeps["cmp"])
    let line = Session.sweepLine("cmp", sweep.plan)
    #expect(line.contains("compressor=identity,qsgd:bits=2,bucket=64") && line.contains("seeds=0,1,2") && line.contains("--steps 8"))
    let again = Self.session()
    _ = Self.run(again, line)
    #expect(again.sweeps["cmp"]!.runs.map { $0.history.map(\.withoutTimings) } == sweep.runs.map { $0.history.map(\.withoutTimings) })
    let compare = Self.run(s, "compare cmp --baseline 2")
    #expect(compare.text.contains("configuration − c2"))
    #expect(s.execute("compare cmp --baseline 3").isError)
    #expect(s.execute("sweep cmp \(Self.base) --steps 2").isError, "an existing sweep is replaced only with --replace")
    #expect(s.execute("sweep other \(Self.base) lr=0.1,-1 --steps 2").isError)
    #expect(s.execute("sweep other \(Self.base)").isError, "a sweep needs a stop condition")
  }

  /// While a sweep runs, its progress is one line for the whole sweep with the time left; Ctrl-C stops every run
  /// and the finished ones are kept, whole, under the sweep's name, where 'compare' reads them.
  /// A model without an accuracy (least squares) is compared on its test loss: the pairs are the seeds and the
  /// verdict names the loss, where it said "needs ≥ 2 seeds" for any number of seeds.
  @Test func aModelWithoutAccuracyIsComparedOnItsLoss() throws {
    let s = Self.session()
    let out = Self.run(s, "sweep lsq dataset=linear:d=8,n=64 model=least-squares workers=2 batch=8 lr=0.001,0.1 seeds=0..3 --steps 20")
    let row = try #require(out.text.split(separator: "\n").last { $0.hasPrefix("c2      c1") })
    #expect(row.contains("      4  ") && row.trimmingCharacters(in: .whitespaces).hasSuffix("lower loss"), "\(row)")
    #expect(out.json.rendered.contains(#""pairs":4"#) && out.json.rendered.contains(#""verdict":"lower loss""#), "\(out.json.rendered)")
  }

  /// A configuration whose runs all diverge: the table says why each failed, and the verdict says it has no
  /// finished run, where it said "needs ≥ 2 seeds" of a configuration with four.
  @Test func failedRunsAreExplainedAndTheirVerdictSaysSo() throws {
    let s = Self.session()
    let out = Self.run(s, "sweep div dataset=linear:d=8,n=64 model=least-squares workers=2 batch=8 lr=0.01,50 seeds=0..3 --steps 40")
    #expect(out.text.contains("c2      lr=50     0 (+4 failed)"), "\(out.text)")
    #expect(out.text.contains("Failed runs (each run's records: 'save FILE --on div'):"))
    let reasons = out.text.split(separator: "\n").filter { $0.hasPrefix("  c2 seed ") }
    #expect(reasons.count == 4 && reasons.allSatisfy { $0.contains(": Diverged at step ") && $0.hasSuffix(".") && !$0.contains("lower 'lr'") },
            "\(reasons)")
    let row = try #require(out.text.split(separator: "\n").last { $0.hasPrefix("c2      c1") })
    #expect(row.hasSuffix("c2 has no finished run"), "\(row)")
    #expect(out.json.rendered.contains(#""failed_runs":[{"configuration":2,"seed":0,"stop":"Diverged at step "#), "\(out.json.rendered)")
    #expect(Session.firstSentence(of: "Stopped. Then more.") == "Stopped." && Session.firstSentence(of: "No period") == "No period")
    let untested = Self.run(s, "sweep nt dataset=linear:d=8,n=64,n-test=0 model=least-squares workers=2 batch=8 lr=0.01,0.02 seeds=0..2 --steps 10")
    #expect(untested.text.split(separator: "\n").last?.hasSuffix("no test metric") == true, "\(untested.text)")
    #expect(!untested.text.contains("Failed runs"))
  }

  @Test func progressLineAndInterruptKeepFinishedRuns() throws {
    let s = Self.session()
    var lines: [String] = []
    s.progress = { line in
      lines.append(line)
      if line.contains("sweep long: 1/4 runs done") { s.cancellation.cancel() }
    }
    let out = s.execute("sweep long \(Self.base) seeds=0..3 --steps 1500 --jobs 1")
    #expect(out.isError)
    let sweep = try #require(s.sweeps["long"])
    #expect(sweep.interrupted)
    #expect((1..<4).contains(sweep.runs.count))
    #expect(sweep.runs.allSatisfy { $0.history.count == 1500 && $0.history.last?.testExamples == 200 })
    #expect(out.text.contains("Interrupted: \(sweep.runs.count) of 4 runs finished and are kept in 'long'; the others were dropped."))
    #expect(out.error == "the sweep was interrupted; \(sweep.runs.count) of 4 runs kept.")
    let pattern = /sweep long: [0-4]\/4 runs done, [01] running, [0-9]{1,3}%( — about [0-9hms ]+ left)?/
    #expect(!lines.isEmpty && lines.allSatisfy { $0.wholeMatch(of: pattern) != nil }, "\(lines)")
    #expect(lines.contains { $0.hasSuffix(" left") }, "the progress line gives the time left")
    #expect(Self.run(s, "compare long").text.contains("c1      base"))
  }

  /// `compare SWEEP --target`: per configuration the mean ± CI of the simulated time of the first evaluation at or
  /// above the target, over the runs that reached it, with how many did; a target no run reaches says so.
  @Test func timeToTargetOverTheRunsThatReachIt() throws {
    let s = Self.session()
    _ = Self.run(s, "sweep t \(Self.base) eval-every=2 network=link:uplink=1Mbit/s,latency=10ms,compute=1ms compressor=identity,qsgd:bits=2,bucket=64 seeds=0..2 --steps 12")
    let sweep = try #require(s.sweeps["t"])
    // The target: the best accuracy the first run of c1 ever reached, so at least that run reaches it.
    let target = try #require(sweep.runs(ofConfiguration: 0)[0].history.compactMap(\.testAccuracy).max())
    let out = Self.run(s, "compare t --target \(target)")
    let rows = try #require(out.json["configurations"]?.items)
    let lines = out.text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    for c in 0..<2 {
      let times = sweep.runs(ofConfiguration: c).compactMap { run in run.history.first { ($0.testAccuracy ?? -1) >= target }?.cumulativeRoundSeconds }
      #expect(rows[c]["reached_target"]?.number == Double(times.count))
      let row = try #require(lines.first { $0.hasPrefix("c\(c + 1) ") })
      if times.isEmpty {
        #expect(rows[c]["time_to_target"] == .null && row.hasSuffix("not reached"))
        continue
      }
      let expected = SampleSummary(times)
      #expect(rows[c]["time_to_target"]?["mean"]?.number == expected.mean && rows[c]["time_to_target"]?["n"]?.number == Double(times.count))
      #expect(row.hasSuffix(times.count < 3 ? "(\(times.count)/3 reached)" : " ± " + Session.seconds(expected.halfWidth!)))
    }
    // The paired difference of the times, c2 − c1, over the seeds where both reached the target.
    func first(_ run: SweepRun) -> Double? { run.history.first { ($0.testAccuracy ?? -1) >= target }?.cumulativeRoundSeconds }
    let both = (0..<3).compactMap { i -> (Double, Double)? in
      guard let a = first(sweep.runs(ofConfiguration: 0)[i]), let b = first(sweep.runs(ofConfiguration: 1)[i]) else { return nil }
      return (a, b)
    }
    let pair = try #require(out.json["paired"]?.items?.first)
    #expect(pair["time_to_target_pairs"]?.number == Double(both.count))
    if !both.isEmpty {
      let expected = SampleSummary.paired(both.map(\.0), both.map(\.1))
      #expect(pair["time_to_target_difference"]?["mean"]?.number == expected.mean)
    }
    #expect(out.text.contains("Δ time to \(Session.fixed(target * 100, 1))%"))
    try #require(sweep.runs.allSatisfy { run in run.history.allSatisfy { ($0.testAccuracy ?? 0) < 1 } })
    let never = Self.run(s, "compare t --target 1")
    #expect(never.text.contains("no pair reached"))
    #expect(never.text.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasSuffix("not reached") }.count == 2)
  }

  @Test func plotExportSaveAndLoad() throws {
    let s = Self.session()
    _ = Self.run(s, "sweep sw \(Self.base) lr=0.05,0.1 seeds=0,1 --steps 5")
    let plot = Self.run(s, "plot loss --sweep sw --svg sw.svg")
    #expect(plot.text.contains("┄┄┄ 95% CI") && plot.text.contains("lr=0.05") && plot.text.contains("lr=0.1"))
    #expect(FileManager.default.fileExists(atPath: s.workingDirectory + "/sw.svg"))
    _ = Self.run(s, "experiment solo \(Self.base) seed=3")
    _ = Self.run(s, "run --steps 3")
    _ = Self.run(s, "export long.csv --sweep sw --experiments solo")
    let csv = try String(contentsOfFile: s.workingDirectory + "/long.csv", encoding: .utf8).split(separator: "\n")
    let header = csv[0].split(separator: ",").map(String.init)
    #expect(Array(header.prefix(4)) == ["experiment", "configuration", "seed", "model"])
    #expect(header.contains("lr") && header.contains("test_accuracy") && header.contains("test_examples") && header.contains("fc1.weight.rho"))
    #expect(csv.count == 1 + 4 * 5 + 3)
    #expect(csv[1].hasPrefix("solo,,3,"))
    #expect(csv[4].hasPrefix("sw/c1/s0,1,0,"))
    #expect(csv.last!.hasPrefix("sw/c2/s1,2,1,"))
    #expect(header.contains("current_lr"))
    _ = Self.run(s, "export long.jsonl --sweep sw")
    let jsonl = try String(contentsOfFile: s.workingDirectory + "/long.jsonl", encoding: .utf8).split(separator: "\n")
    #expect(jsonl.count == 20)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(jsonl[0].utf8)) as? [String: Any])
    #expect(object["experiment"] as? String == "sw/c1/s0" && object["lr"] as? String == "0.05")
    _ = Self.run(s, "save sw.json --on sw")
    _ = Self.run(s, "load sw.json --as sw2")
    #expect(s.sweeps["sw2"]!.runs == s.sweeps["sw"]!.runs)
  }

  /// `eval` keeps a full-set evaluation in the last record; a run that crosses an epoch ends with one.
  @Test func evalAndEpochEvaluation() throws {
    let s = Self.session()
    _ = Self.run(s, "experiment e \(Self.base) test-subset=50 eval-every=2")
    let out = Self.run(s, "step 2")
    let e = try s.experiment("e")
    #expect(e.history.last?.testExamples == 50)
    #expect(out.text.contains("test acc"))
    let eval = Self.run(s, "eval")
    #expect(eval.text.hasSuffix("on 200 of 200 test images."))
    #expect(e.history.last?.testExamples == 200)
    // 4 × 16 = 64 examples a step: step 13 crosses epoch 1 (832 ≥ 800) and is evaluated on all 200 test images.
    _ = Self.run(s, "run --steps 13")
    #expect(e.history[12].testExamples == 200)
    #expect(e.history.last?.testExamples == 200, "the run crossed an epoch, so its last step is evaluated on the full set")
    let history = Self.run(s, "show history --last 3")
    #expect(history.text.contains("test images"))
    #expect(Self.run(s, "show").text.contains("Test accuracy \(Session.fixed(e.history.last!.testAccuracy! * 100, 2))% at step 15 on 200 test images."))
    #expect(Self.run(s, "compare e").text.contains("step 15, 200 images"))
    _ = Self.run(s, "experiment quiet \(Self.base) eval-epochs=false")
    _ = Self.run(s, "run --steps 14")
    #expect(try s.experiment("quiet").history.allSatisfy { $0.testAccuracy == nil })
  }

  /// `show partition`: counts and histograms add up, bars and an SVG; `show config` says what an epoch is.
  @Test func showPartition() throws {
    let s = Self.session()
    _ = Self.run(s, "experiment p \(Self.base) partition=dirichlet:alpha=0.3 seed=2")
    let out = Self.run(s, "show partition --svg part.svg")
    let e = try s.experiment("p")
    let summary = e.partitionSummary
    #expect(summary.counts.reduce(0, +) == 800)
    for w in 0..<4 {
      #expect(summary.histograms[w].reduce(0, +) == summary.counts[w])
      #expect(summary.histograms[w] == (0..<4).map { c in e.shards[w].filter { e.dataset.train.labels[$0] == Int32(c) }.count })
    }
    #expect(out.text.contains("█") && out.text.contains("An epoch is 800 examples drawn: 13 steps of 64"))
    let svg = try String(contentsOfFile: s.workingDirectory + "/part.svg", encoding: .utf8)
    #expect(svg.hasPrefix("<svg") && svg.contains("worker 3"))
    #expect(Self.run(s, "show config").text.contains("An epoch is"))
    _ = Self.run(s, "set network link:uplink=1Mbit/s,latency=20ms,compute=1ms")
    #expect(Self.run(s, "show config").text.contains("network: uplink 1 Mbit/s"))
    _ = Self.run(s, "run --steps 3")
    #expect(Self.run(s, "plot loss --x time").text.contains("time (s)"))
    #expect(Self.run(s, "compare p --target 0.2").text.contains("time to 20.0%"))
  }
}

/// Reading a command's JSON result without a round trip through text.
extension JSONValue {
  subscript(key: String) -> JSONValue? {
    guard case .object(let pairs) = self else { return nil }
    return pairs.first { $0.0 == key }?.1
  }

  var items: [JSONValue]? {
    guard case .array(let items) = self else { return nil }
    return items
  }

  var number: Double? {
    guard case .number(let x) = self else { return nil }
    return x
  }
}
