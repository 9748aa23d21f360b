import Foundation
import HSQ

extension Session {
  /// `compare SWEEP`: per configuration the mean ± 95 % CI over seeds of the final test accuracy, test loss and
  /// uplink bits (and time to `target` accuracy), then every configuration's paired difference from `baseline`
  /// (with a target, of the time to it too, over the seeds where both reached it).
  func compareSweep(_ sweep: Sweep, target: Double?, baseline: Int) throws -> CommandOutput {
    let plan = sweep.plan
    guard (0..<plan.configurationCount).contains(baseline) else {
      throw HSQError.invalidArgument("'--baseline \(baseline + 1)' is not a configuration of '\(sweep.name)'; give 1…\(plan.configurationCount).")
    }
    var columns = ["config", "settings", "seeds", "test acc % (95% CI)", "test loss", "uplink bits", "evaluated"]
    if let target { columns.append("time to \(Self.fixed(target * 100, 1))%") }
    var table = TextTable(columns: columns)
    var rows: [JSONValue] = []
    // The simulated (else measured) time of a run's first evaluation at or above the target.
    let time = target.map { target in
      SweepMetric("time to target") { run in run.history.first { ($0.testAccuracy ?? -1) >= target }.map(\.timeSeconds) }
    }
    for c in 0..<plan.configurationCount {
      let (row, json) = Self.configurationRow(c, of: sweep, time: time)
      table.append(row)
      rows.append(.object(json))
    }
    var text = table.render(maxWidth: terminalWidth)
    let failures = sweep.runs.filter(\.failed)
    if !failures.isEmpty {
      text += "\nFailed runs (each run's records: 'save FILE --on \(sweep.name)'):\n"
        + failures.map { "  c\($0.configuration + 1) seed \($0.seed): \(Self.firstSentence(of: $0.stop))" }.joined(separator: "\n")
    }
    var pairs: [JSONValue] = []
    if plan.configurationCount > 1 {
      var paired = TextTable(columns: ["config", "vs", "pairs", "Δ test acc (points)", "Δ test loss", "verdict (95%)"]
                             + (time != nil ? ["Δ " + columns.last!] : []))
      for c in 0..<plan.configurationCount where c != baseline {
        let (row, json) = Self.pairedRow(c, baseline: baseline, of: sweep, time: time)
        paired.append(row)
        pairs.append(.object(json))
      }
      text += "\nPaired differences over the same seeds (configuration − c\(baseline + 1)), mean ± 95% CI:\n" + paired.render(maxWidth: terminalWidth)
    }
    let failed = failures.map { run in
      JSONValue.object([("configuration", .int(run.configuration + 1)), ("seed", .int(Int(run.seed))), ("stop", .string(run.stop))])
    }
    return CommandOutput(text: text, json: .object([("sweep", .string(sweep.name)), ("configurations", .array(rows)), ("paired", .array(pairs)),
                                                    ("failed_runs", .array(failed))]))
  }

  /// A stop reason's first sentence: what happened, without the advice that follows for an interactive run.
  static func firstSentence(of text: String) -> String {
    guard let end = text.range(of: ". ") else { return text }
    return String(text[..<end.lowerBound]) + "."
  }

  /// `mean ± half-width` of a summary (`—` without one), scaled and with `digits`, or in `unit`'s words.
  static func interval(_ s: SampleSummary?, scale: Double = 1, digits: Int = 2, unit: (Double) -> String = { _ in "" }) -> String {
    guard let s else { return "—" }
    let mean = unit(s.mean).isEmpty ? fixed(s.mean * scale, digits) : unit(s.mean)
    guard let h = s.halfWidth else { return mean }
    return mean + " ± " + (unit(s.mean).isEmpty ? fixed(h * scale, digits) : unit(h))
  }

  /// Configuration `c`'s row of `compare SWEEP` and its JSON: seeds, accuracy, loss, bits, when evaluated, and
  /// with a target the time to it over the runs that reached it.
  private static func configurationRow(_ c: Int, of sweep: Sweep, time: SweepMetric?) -> ([String], [(String, JSONValue)]) {
    let plan = sweep.plan
    let runs = sweep.runs(ofConfiguration: c)
    let finished = runs.filter { !$0.failed }
    let accuracy = sweep.summary(configuration: c, .accuracy)
    let loss = sweep.summary(configuration: c, .testLoss)
    let bits = sweep.summary(configuration: c, .bitsUp)
    let evaluated = evaluatedText(finished.compactMap { $0.history.last })
    var row = ["c\(c + 1)", plan.label(ofConfiguration: c), runs.count == finished.count ? "\(runs.count)" : "\(finished.count) (+\(runs.count - finished.count) failed)",
               interval(accuracy, scale: 100), interval(loss, digits: 4), interval(bits, unit: { Self.bits(Int($0.rounded())) }), evaluated]
    var json: [(String, JSONValue)] = [
      ("configuration", .int(c + 1)), ("settings", .object(plan.values(ofConfiguration: c).map { ($0.setting, .string($0.value)) })),
      ("seeds", .int(finished.count)), ("failed", .int(runs.count - finished.count)),
      ("test_accuracy", Self.json(accuracy)), ("test_loss", Self.json(loss)), ("bits_up", Self.json(bits)),
    ]
    if let time {
      let reached = finished.filter { time.value($0) != nil }.count
      let summary = sweep.summary(configuration: c, time)
      row.append(summary.map { interval($0, unit: { seconds($0) }) + (reached < finished.count ? " (\(reached)/\(finished.count) reached)" : "") } ?? "not reached")
      json.append(("time_to_target", Self.json(summary)))
      json.append(("reached_target", .int(reached)))
    }
    return (row, json)
  }

  /// Configuration `c`'s paired difference from `baseline` over the same seeds, with its verdict, and with a
  /// target the difference in time to it over the seeds where both reached it.
  private static func pairedRow(_ c: Int, baseline: Int, of sweep: Sweep, time: SweepMetric?) -> ([String], [(String, JSONValue)]) {
    let accuracy = sweep.paired(baseline, c, .accuracy)
    let loss = sweep.paired(baseline, c, .testLoss)
    // The verdict is on the test accuracy, or on the test loss for a model without one (least squares).
    let hasAccuracy = !(accuracy?.seeds.isEmpty ?? true)
    let decisive = hasAccuracy ? accuracy : loss
    let pairs = decisive?.seeds.count ?? 0
    let finished = { (configuration: Int) in sweep.runs(ofConfiguration: configuration).contains { !$0.failed } }
    let verdict: String
    if let a = decisive?.summary, a.halfWidth != nil {
      verdict = a.excludesZero ? (a.mean > 0 ? "higher" : "lower") + (hasAccuracy ? "" : " loss") : "not distinguishable"
    } else if let none = [c, baseline].first(where: { !finished($0) }) {
      verdict = "c\(none + 1) has no finished run"
    } else if pairs == 0 {
      verdict = "no test metric"
    } else {
      verdict = "needs ≥ 2 seeds"
    }
    var row = ["c\(c + 1)", "c\(baseline + 1)", String(pairs), interval(accuracy?.summary, scale: 100, digits: 2),
               interval(loss?.summary, digits: 4), verdict]
    var json: [(String, JSONValue)] = [
      ("configuration", .int(c + 1)), ("baseline", .int(baseline + 1)), ("pairs", .int(pairs)),
      ("test_accuracy_difference", Self.json(accuracy?.summary)), ("test_loss_difference", Self.json(loss?.summary)), ("verdict", .string(verdict)),
    ]
    if let time {
      // Only the seeds where both reached the target pair up; fewer pairs than for accuracy are counted.
      let difference = sweep.paired(baseline, c, time)
      let pairsNote = difference.map { $0.seeds.count < pairs ? " (\($0.seeds.count) pairs)" : "" } ?? ""
      row.append(difference.map { interval($0.summary, unit: { seconds($0) }) + pairsNote } ?? "no pair reached")
      json.append(("time_to_target_difference", Self.json(difference?.summary)))
      json.append(("time_to_target_pairs", .int(difference?.seeds.count ?? 0)))
    }
    return (row, json)
  }

  /// `step 470, 10000 images` (or a range of steps, or the sizes seen) for the last records of some runs.
  static func evaluatedText(_ records: [StepRecord]) -> String {
    guard !records.isEmpty else { return "—" }
    let steps = records.map(\.step), sizes = Set(records.compactMap(\.testExamples))
    let step = steps.min() == steps.max() ? "step \(steps[0])" : "steps \(steps.min()!)–\(steps.max()!)"
    let size = sizes.isEmpty ? "not evaluated" : sizes.sorted().map(String.init).joined(separator: "/") + " images"
    return step + ", " + size
  }

  static func json(_ s: SampleSummary?) -> JSONValue {
    guard let s else { return .null }
    return .object([("mean", .number(s.mean)), ("half_width", .number(s.halfWidth)), ("sd", .number(s.standardDeviation)), ("n", .int(s.count))])
  }

  /// `950 ms`, `12.3 s`, `4.5 min`, `2.1 h`; a difference may be negative (`-7.3 min`).
  static func seconds(_ s: Double) -> String {
    if s < 0 { return "-" + seconds(-s) }
    if s < 1 { return String(format: "%.0f ms", s * 1000) }
    if s < 120 { return String(format: "%.1f s", s) }
    if s < 7200 { return String(format: "%.1f min", s / 60) }
    return String(format: "%.2f h", s / 3600)
  }
}
