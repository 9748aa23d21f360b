import Foundation
import HSQ

extension Session {
  /// `compare SWEEP --distance E` (or `--target A --cost`): per configuration what reaching the target cost —
  /// bits per iteration, the declared ω or δ, iterations to the target and total uplink bits to it (mean ± 95 % CI
  /// over the runs that reached it, with how many did), and the last value of the target's quantity.
  ///
  /// With `theory`, a second table: THEORY.md §6's predicted iterations for each configuration (measured on a fresh
  /// experiment of its first seed) beside the observed mean, and their ratio.
  func compareSweepCost(_ sweep: Sweep, target: SweepTarget, theory: Bool) throws -> CommandOutput {
    let plan = sweep.plan
    let goal: String, last: String
    switch target {
    case let .accuracy(a): (goal, last) = ("test acc ≥ \(Self.fixed(a * 100, 1))%", "final test acc %")
    case let .distance(e): (goal, last) = ("‖x − x*‖² ≤ \(formatNumber(e))", "final ‖x − x*‖²")
    }
    var table = TextTable(columns: ["config", "settings", "bits/iteration", "ω or δ", "reached", "iterations to target", "total bits to target", last])
    var rows: [JSONValue] = []
    var observed: [SampleSummary?] = []
    for c in 0..<plan.configurationCount {
      let runs = sweep.runs(ofConfiguration: c).filter { !$0.failed }
      let reached = runs.filter { target.hit(in: $0.history) != nil }.count
      let perStep = sweep.summary(configuration: c, .bitsPerStep)
      let steps = sweep.summary(configuration: c, .steps(to: target))
      let bits = sweep.summary(configuration: c, .bits(to: target))
      let finalValue = SweepMetric("final") { run in run.history.last.flatMap { target.value(in: $0) } }
      let final = sweep.summary(configuration: c, finalValue)
      let worst = runs.first.map(DeclaredWorstCase.init) ?? .none
      observed.append(steps)
      let failed = sweep.runs(ofConfiguration: c).count - runs.count
      table.append([
        "c\(c + 1)", plan.label(ofConfiguration: c), perStep.map { Self.bits(Int($0.mean.rounded())) } ?? "—", Self.worstCaseText(worst),
        "\(reached)/\(runs.count)" + (failed > 0 ? " (+\(failed) failed)" : ""),
        reached == 0 ? "not reached" : Self.interval(steps, digits: 0),
        reached == 0 ? "not reached" : Self.interval(bits, unit: { Self.bits(Int($0.rounded())) }),
        Self.targetValue(final, target),
      ])
      rows.append(.object([
        ("configuration", .int(c + 1)), ("settings", .object(plan.values(ofConfiguration: c).map { ($0.setting, .string($0.value)) })),
        ("runs", .int(runs.count)), ("failed", .int(failed)), ("reached", .int(reached)), ("bits_per_iteration", Self.json(perStep)),
        ("omega", worst.omega.map(JSONValue.number) ?? .null), ("delta", worst.delta.map(JSONValue.number) ?? .null),
        ("iterations_to_target", Self.json(steps)), ("bits_to_target", Self.json(bits)), ("final", Self.json(final)),
      ]))
    }
    var text = "Target \(goal): iterations and exact uplink bits at the first step that met it, mean ± 95% CI over the runs that reached it.\n"
    text += table.render(maxWidth: terminalWidth)
    var json: [(String, JSONValue)] = [("sweep", .string(sweep.name)), ("configurations", .array(rows))]
    if theory {
      guard case let .distance(epsilon) = target else {
        throw HSQError.invalidArgument("'--theory' predicts iterations to a distance ‖x − x*‖² ≤ E; give '--distance E' (least squares).")
      }
      let (theoryText, theoryJSON) = try predictionTable(sweep, epsilon: epsilon, observed: observed)
      text += "\n" + theoryText
      json.append(("theory", theoryJSON))
    }
    return CommandOutput(text: text, json: .object(json))
  }

  /// THEORY.md §6's iterations to ε per configuration next to the observed mean.
  private func predictionTable(_ sweep: Sweep, epsilon: Double, observed: [SampleSummary?]) throws -> (String, JSONValue) {
    let plan = sweep.plan
    var table = TextTable(columns: ["config", "bound", "L", "μ", "σ²", "η", "floor", "predicted", "rate term", "observed", "observed/predicted"])
    var rows: [JSONValue] = []
    var notes: [String] = []
    for c in 0..<plan.configurationCount {
      try Cancellation.current?.check()
      let e = try Experiment(try plan.config(configuration: c, seed: plan.seeds[0]))
      let p = try e.prediction(toReach: epsilon)
      let x = p.report.inputs
      let mean = observed[c]?.mean
      let predicted = p.report.applies ? p.steps : nil
      let ratio = zip2(mean, predicted).map { $0 / Double(max($1, 1)) }
      let predictedText: String
      if !p.report.applies {
        predictedText = "n/a"
        notes += p.report.notes.map { "c\(c + 1): \($0)" }
      } else {
        predictedText = p.steps.map(String.init) ?? "vacuous"
      }
      table.append([
        "c\(c + 1)", p.report.result.hasPrefix("unbiased") ? "(ii)" : "(iii)", formatNumber(x.L), formatNumber(x.mu), formatNumber(x.sigma2),
        formatNumber(x.eta), formatNumber(p.bound.floor), predictedText, p.rateSteps.map(String.init) ?? "—",
        mean.map { Self.fixed($0, 0) } ?? "not reached", ratio.map { Self.fixed($0, 3) } ?? "—",
      ])
      rows.append(.object([
        ("configuration", .int(c + 1)), ("result", .string(p.report.result)), ("applies", .bool(p.report.applies)),
        ("L", .number(x.L)), ("mu", .number(x.mu)), ("sigma2", .number(x.sigma2)), ("eta", .number(x.eta)), ("floor", .number(p.bound.floor)),
        ("predicted", predicted.map(JSONValue.int) ?? .null), ("rate_term", p.rateSteps.map(JSONValue.int) ?? .null),
        ("observed", mean.map(JSONValue.number) ?? .null), ("ratio", ratio.map(JSONValue.number) ?? .null), ("notes", .array(p.report.notes.map(JSONValue.string))),
      ]))
    }
    var text = "THEORY.md §6 at ε = \(formatNumber(epsilon)), constants measured at x₀ of each configuration's seed \(plan.seeds[0]) "
    text += "(σ² etc. mean + 3 SE): the bound is scale·rate^T + floor; 'vacuous' when its floor is ≥ ε; 'rate term' is the T its decaying term alone needs.\n"
    text += table.render(maxWidth: terminalWidth)
    if !notes.isEmpty { text += "\nOutside the theorem's assumptions:\n" + notes.map { "  " + $0 }.joined(separator: "\n") }
    return (text, .array(rows))
  }

  /// `ω = 3.2`, `δ = 0.061` or `—`.
  static func worstCaseText(_ w: DeclaredWorstCase) -> String {
    switch w {
    case let .omega(v): return "ω = " + formatNumber(Double(String(format: "%.4g", v)) ?? v)
    case let .delta(v): return "δ = " + formatNumber(Double(String(format: "%.4g", v)) ?? v)
    case .none: return "—"
    }
  }

  /// The final value of the target's quantity: accuracy in %, distance with 4 significant digits.
  private static func targetValue(_ s: SampleSummary?, _ target: SweepTarget) -> String {
    switch target {
    case .accuracy: return interval(s, scale: 100, digits: 2)
    case .distance:
      guard let s else { return "—" }
      let g = { (x: Double) in String(format: "%.4g", x) }
      return g(s.mean) + (s.halfWidth.map { " ± " + g($0) } ?? "")
    }
  }
}

/// Both values, or `nil`.
private func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
  guard let a, let b else { return nil }
  return (a, b)
}

extension DeclaredWorstCase {
  var omega: Double? { if case let .omega(w) = self { return w } else { return nil } }
  var delta: Double? { if case let .delta(d) = self { return d } else { return nil } }
}
