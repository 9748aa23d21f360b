import Foundation
import HSQ
import Testing

@testable import HSQCommands

/// `sweep --distance`, `compare SWEEP --distance E [--theory]`, `compare SWEEP --target A --cost` and
/// `plot bits-to-target|iterations-to-target`: what reaching a target cost, per configuration.
@Suite struct TargetCostCommandTests {
  static let base = "dataset=linear:d=16,n=256,n-test=0,condition=4,noise=0 model=least-squares:bias=false workers=4 batch=16 compress-threshold=0"

  @Test func distanceSweepReportsIterationsBitsAndWhoNeverReached() throws {
    let s = SweepCommandTests.session()
    let out = SweepCommandTests.run(s, "sweep lsq \(Self.base) compressor+lr=identity+0.2,hsq-unbiased:dim=4,k=auto+0.05,hsq-log:mode=unbiased+0.0001 seeds=0..2 --steps 120 --distance 0.05 --jobs 2")
    #expect(out.text.contains("each 120 steps or ‖x − x*‖² ≤ 0.05"))
    let sweep = try #require(s.sweeps["lsq"])
    #expect(Session.sweepLine("lsq", sweep.plan).contains("--steps 120 --distance 0.05"))
    let compare = SweepCommandTests.run(s, "compare lsq --distance 0.05")
    let text = compare.text
    #expect(text.contains("Target ‖x − x*‖² ≤ 0.05"))
    #expect(text.contains("bits/iteration") && text.contains("iterations to target") && text.contains("total bits to target"))
    // SGD: float32, 16 coordinates × 32 bits × 4 workers a step; every seed reaches the target.
    #expect(text.contains("2.05 kbit") && text.contains("3/3"))
    #expect(text.contains("ω = 0"))
    // hsq-log with a tiny step never gets there in 120 steps: reported as such, with its final distance.
    #expect(text.contains("0/3") && text.contains("not reached"))
    guard case let .object(fields) = compare.json, case let .array(rows)? = fields.first(where: { $0.0 == "configurations" })?.1 else {
      Issue.record("no configurations in the JSON"); return
    }
    #expect(rows.count == 3)
    // The iterations are those of the first record under the target, for every run.
    let target = SweepTarget.distance(0.05)
    let steps = sweep.runs(ofConfiguration: 0).map { Double(target.hit(in: $0.history)!.step) }
    #expect(sweep.summary(configuration: 0, .steps(to: target))?.mean == steps.reduce(0, +) / 3)
  }

  @Test func theoryPutsThePredictedIterationsBesideTheObserved() throws {
    let s = SweepCommandTests.session()
    _ = SweepCommandTests.run(s, "sweep lsq \(Self.base) compressor+lr=identity+0.05,hsq-unbiased:dim=4,k=auto+0.02 seeds=0,1 --steps 400 --distance 0.1")
    let out = SweepCommandTests.run(s, "compare lsq --distance 0.1 --theory")
    #expect(out.text.contains("THEORY.md §6 at ε = 0.1"))
    #expect(out.text.contains("(ii)") && out.text.contains("observed/predicted"))
    guard case let .object(fields) = out.json, case let .array(rows)? = fields.first(where: { $0.0 == "theory" })?.1 else {
      Issue.record("no theory in the JSON"); return
    }
    #expect(rows.count == 2)
    // An accuracy target has no distance bound to predict from.
    #expect(s.execute("compare lsq --target 0.5 --theory").isError)
  }

  @Test func tradeOffPlotsDrawOnePointAConfigurationWithBars() throws {
    let s = SweepCommandTests.session()
    _ = SweepCommandTests.run(s, "sweep lsq \(Self.base) compressor+lr=identity+0.2,hsq-unbiased:dim=2,k=auto+0.05,hsq-unbiased:dim=8,k=auto+0.02 seeds=0..2 --steps 300 --distance 0.1 --jobs 2")
    let out = SweepCommandTests.run(s, "plot bits-to-target --sweep lsq --distance 0.1 --labels \"SGD|HSQ|HSQ\" --point-labels \"|D=2|D=8\" --svg t.svg")
    let svg = try String(contentsOfFile: s.workingDirectory + "/t.svg", encoding: .utf8)
    #expect(svg.contains(">D=2<") && svg.contains(">D=8<"))
    #expect(svg.contains("Total uplink bits to ‖x − x*‖² ≤ 0.1"))
    guard case let .object(fields) = out.json, case let .array(series)? = fields.first(where: { $0.0 == "series" })?.1 else {
      Issue.record("no series in the JSON"); return
    }
    #expect(series.count == 2, "SGD alone, the two HSQ configurations joined")
    let iterations = SweepCommandTests.run(s, "plot iterations-to-target --sweep lsq --distance 0.1")
    #expect(iterations.text.contains("ω (unbiased) or 1 − δ"))
    #expect(s.execute("plot bits-to-target --sweep lsq").isError)
    #expect(s.execute("plot bits-to-target --sweep lsq --distance 0.1 --point-labels a|b").isError)
  }

  /// The figure's paragraph ends with `Wrote FILE.` (what notebooks and the Jupyter kernel cut a figure's text at),
  /// so the configurations left out are named above it, not after it.
  @Test func configurationsNotDrawnAreNamedAboveTheWroteLine() throws {
    let s = SweepCommandTests.session()
    _ = SweepCommandTests.run(s, "sweep lsq \(Self.base) compressor+lr=identity+0.2,hsq-log:mode=unbiased+0.0001 seeds=0,1 --steps 40 --distance 0.05")
    let out = SweepCommandTests.run(s, "plot bits-to-target --sweep lsq --distance 0.05 --svg t.svg")
    let lines = out.text.components(separatedBy: "\n")
    #expect(lines.last == "Wrote t.svg." && lines.dropLast().last?.hasPrefix("Not drawn: c2 ") == true, "\(lines.suffix(3))")
    let plain = SweepCommandTests.run(s, "plot iterations-to-target --sweep lsq --distance 0.05")
    #expect(plain.text.components(separatedBy: "\n").last?.hasPrefix("Not drawn: c2") == true)
  }

  @Test func accuracyCostTableNeedsATarget() throws {
    let s = SweepCommandTests.session()
    _ = SweepCommandTests.run(s, "sweep acc \(SweepCommandTests.base) compressor=identity eval-every=2 seeds=0,1 --steps 6 --accuracy 0.3")
    let out = SweepCommandTests.run(s, "compare acc --target 0.3 --cost")
    #expect(out.text.contains("test acc ≥ 30.0%") && out.text.contains("final test acc %"))
    #expect(s.execute("compare acc --cost").isError)
  }
}
