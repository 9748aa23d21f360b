import Foundation
import HSQ

/// `show`, `theory`, `bound`, `compare`.
enum InspectCommands: CommandSet {
  static let helpOrder = 30
  static let commands: [CommandSpec] = [
    CommandSpec(
      "show", group: "Inspect", abstract: "Shows the last step, the config, the layers, the history or the event log.",
      arguments: [ArgumentSpec("what", "last (default), layers, config, history, events, partition, wire", optional: true)],
      options: [OptionSpec("on", "the experiment (default: the current one)", value: "NAME", completion: .experiment),
                OptionSpec("last", "history rows to show (default 10)", value: "N"),
                OptionSpec("svg", "partition: also draw it as an SVG file", value: "FILE", completion: .path)], recorded: false
    ) { session, args in
      if args.argument(0) == "partition" { return try session.showPartition(try session.experiment(args.option("on")), svg: args.option("svg")) }
      return try session.show(args.argument(0) ?? "last", experimentName: args.option("on"), rows: args.int("last", default: 10, in: 1...1_000_000))
    },
    CommandSpec(
      "theory", group: "Inspect", abstract: "Theory against observation per layer: observed ρ, exact error, Monte Carlo CI, bound, verdict.",
      discussion: "For the last step's compressor inputs p: ρ = Σ‖Q(p) − p‖²/Σ‖p‖² as observed (one draw, for a randomized compressor), E ρ exactly where the theory gives it (docs/THEORY.md §2–5), with --samples R a Monte Carlo mean of R fresh compressions and its z·SE interval, two bounds, and the bits. 'bound, these inputs' bounds E ρ for these very inputs (ω or 1 − δ with their own scalar-rounding term); 'worst case, all inputs' is the ω or 1 − δ declared for every input of the layer's length, 'none' when no ω or δ holds for all inputs (δ_lower − M/4ⁿ ≤ 0 with n-bit scalars) although the bound for these inputs still does. The verdict holds ρ to the bound only for a deterministic compressor, whose one draw is E ρ; for a randomized one it compares E ρ, exact or Monte Carlo, and says which.",
      options: [OptionSpec("samples", "Monte Carlo compressions per layer (0: none; default 0)", value: "R"),
                OptionSpec("z", "confidence multiplier for the interval (default 3)", value: "Z"),
                OptionSpec("layer", "one layer only", value: "NAME", completion: .layer),
                OptionSpec("on", "the experiment (default: the current one)", value: "NAME", completion: .experiment)], recorded: false
    ) { session, args in try session.theory(args) },
    CommandSpec(
      "bound", group: "Inspect", abstract: "The convergence bound of THEORY.md §6 with measured L, μ, σ², ω or δ, against the observed ‖x − x*‖².",
      discussion: "For convex models with a closed-form optimum (least-squares): (ii) for unbiased compressors without error feedback, (iii) for δ-contractions with error feedback. Constants are measured with a safety margin; notes say when the run is outside the theorem's assumptions (momentum, weight decay, too large a step).",
      options: [OptionSpec("steps", "T, the horizon (default: the steps taken)", value: "T"),
                OptionSpec("on", "the experiment (default: the current one)", value: "NAME", completion: .experiment)], recorded: false
    ) { session, args in try session.bound(args) },
    CommandSpec(
      "compare", group: "Inspect", abstract: "Side-by-side table of experiments, or of a sweep's configurations (mean ± 95% CI over seeds).",
      discussion: "For a sweep ('compare NAME'): per configuration the mean ± 95% Student-t interval over seeds of the final test accuracy (whole test set), test loss and uplink bits, the step and test-set size evaluated, and with --target the time to reach that accuracy; then each configuration's paired difference from --baseline over the same seeds, with whether the interval excludes zero. With --distance E (or --target A --cost) instead what reaching the target cost: exact uplink bits per iteration, the declared ω or δ, iterations to the target and total uplink bits to it (at the step that met it), mean ± 95% CI over the runs that reached it, with how many did ('k/n'); --theory adds THEORY.md §6's predicted iterations (bound (ii) unbiased, (iii) error feedback, constants measured at x₀) beside the observed mean.",
      arguments: [ArgumentSpec("experiments", "experiment names (default: all), or one sweep", completion: .experiment, optional: true, variadic: true)],
      options: [OptionSpec("target", "also the time (simulated under 'network', else wall) to reach this test accuracy", value: "A"),
                OptionSpec("baseline", "the sweep configuration paired differences are taken against (default 1)", value: "K"),
                OptionSpec("distance", "a sweep's cost to ‖x − x*‖² ≤ E: bits/iteration, ω or δ, iterations and total bits to it", value: "E"),
                OptionSpec("cost", "with --target: the same cost table for the accuracy target"),
                OptionSpec("theory", "with --distance: THEORY.md §6's predicted iterations beside the observed ones")], recorded: false
    ) { session, args in
      if args.positional.count == 1, let sweep = session.sweeps[args.positional[0]] {
        if let epsilon = try args.double("distance", in: 0...1e300) {
          return try session.compareSweepCost(sweep, target: .distance(epsilon), theory: args.flag("theory"))
        }
        if args.flag("cost") || args.flag("theory") {
          guard let accuracy = try args.double("target", in: 0...1) else {
            throw HSQError.invalidArgument("'--cost' needs a target: '--target A' (test accuracy) or '--distance E' (‖x − x*‖²).")
          }
          return try session.compareSweepCost(sweep, target: .accuracy(accuracy), theory: args.flag("theory"))
        }
        return try session.compareSweep(sweep, target: try args.double("target", in: 0...1), baseline: try args.int("baseline", default: 1, in: 1...1_000_000) - 1)
      }
      return try session.compare(args.positional.isEmpty ? session.experimentNames : args.positional, target: try args.double("target", in: 0...1))
    },
  ]
}

extension Session {
  func show(_ what: String, experimentName: String?, rows: Int = 10) throws -> CommandOutput {
    let e = try experiment(experimentName)
    switch what {
    case "config":
      var table = TextTable(columns: ["setting", "value"])
      let fields = ExperimentConfig.listedFields(for: [e.config])
      for f in fields { table.append([f.name, f.value(in: e.config)]) }
      let notes = [e.network?.summary, e.epochMeaning].compactMap { $0 }.joined(separator: "\n")
      return CommandOutput(text: table.render(maxWidth: terminalWidth) + "\n" + notes, json: .object(fields.map { ($0.name, .string($0.value(in: e.config))) }))
    case "events":
      guard !e.events.isEmpty else { return CommandOutput(text: "No changes yet.", json: .array([])) }
      var table = TextTable(columns: ["at step", "change"])
      for ev in e.events { table.append([String(ev.step), ev.text]) }
      return CommandOutput(text: table.render(maxWidth: terminalWidth), json: .array(e.events.map { .object([("step", .int($0.step)), ("change", .string($0.text))]) }))
    case "history": return showHistory(e, rows: rows)
    case "wire": return try showWire(e, name: experimentName ?? current ?? "", rows: rows)
    case "last", "layers": return showLastStep(e)
    default:
      throw HSQError.unknownName(kind: "view", name: what, suggestion: closestMatch(to: what, in: ["last", "layers", "config", "history", "events", "partition", "wire"]))
    }
  }

  /// What one step put on the wire and where its time went, as a sentence.
  static func wireLine(_ w: WireRecord) -> String {
    "On the wire (\(w.processes) worker process\(w.processes == 1 ? "" : "es")): ↑ \(bytes(w.bytesUp)) (payloads \(bytes(w.payloadBytesUp)), "
      + "diagnostics \(bytes(w.diagnosticBytesUp))) ↓ \(bytes(w.bytesDown)); rank 0 exchanged for \(milliseconds(w.exchangeSeconds)) "
      + "(slowest worker process busy \(milliseconds(w.slowestWorkerSeconds)), communicate \(milliseconds(w.communicateSeconds))), "
      + "decode + aggregate \(milliseconds(w.serverSeconds))."
  }

  static func milliseconds(_ seconds: Double) -> String { fixed(seconds * 1000, 2) + " ms" }

  /// `show wire`: per step the bytes handed to the transport and the time per phase.
  func showWire(_ e: Experiment, name: String, rows: Int) throws -> CommandOutput {
    let steps = e.history.suffix(rows).filter { $0.wire != nil }
    guard !steps.isEmpty else {
      throw HSQError.invalidState("'\(name)' has no wire figures\(e.history.isEmpty ? " yet; run 'step'" : ": its workers ran in this process; run it with backend=mpi in hsq-mpi").")
    }
    var table = TextTable(columns: ["step", "processes", "bytes up", "payloads", "diagnostics", "bytes down", "compute", "encode",
                                    "exchange", "slowest worker", "communicate", "decode + aggregate"])
    for r in steps {
      let w = r.wire!
      table.append([String(r.step), String(w.processes), Self.bytes(w.bytesUp), Self.bytes(w.payloadBytesUp), Self.bytes(w.diagnosticBytesUp),
                    Self.bytes(w.bytesDown), Self.milliseconds(r.computeSeconds), Self.milliseconds(r.compressSeconds),
                    Self.milliseconds(w.exchangeSeconds), Self.milliseconds(w.slowestWorkerSeconds), Self.milliseconds(w.communicateSeconds),
                    Self.milliseconds(w.serverSeconds)])
    }
    let note = "compute and encode: summed over the step's workers; exchange: rank 0 from sending to holding every answer; "
      + "communicate: exchange beyond the slowest worker process."
    return CommandOutput(text: table.render(maxWidth: terminalWidth) + "\n" + note, json: .array(steps.map(Self.json)))
  }

  /// `show history`: the last `rows` steps' records.
  private func showHistory(_ e: Experiment, rows: Int) -> CommandOutput {
    let timed = e.history.contains { $0.cumulativeRoundSeconds != nil }
    var table = TextTable(columns: ["step", "epoch", "loss", "test acc", "test images", "bits up", "total bits up", "‖ḡ‖"] + (timed ? ["simulated time"] : []))
    for r in e.history.suffix(rows) {
      let norm: String = r.gradientNorm.map { Self.fixed($0, 4) } ?? "—"
      let accuracy: String = r.testAccuracy.map { Self.fixed($0 * 100, 2) + "%" } ?? "—"
      table.append([String(r.step), Self.fixed(r.epoch, 3), Self.fixed(r.trainLoss, 4), accuracy,
                    r.testExamples.map(String.init) ?? "—", Self.bits(r.bitsUp), Self.bits(r.cumulativeBitsUp), norm]
                   + (timed ? [r.cumulativeRoundSeconds.map { Self.seconds($0) } ?? "—"] : []))
    }
    return CommandOutput(text: table.render(maxWidth: terminalWidth), json: .array(e.history.suffix(rows).map(Self.json)))
  }

  /// `show last` / `show layers`: the last step's line and its per-layer table.
  private func showLastStep(_ e: Experiment) -> CommandOutput {
    guard let r = e.history.last else {
      return CommandOutput(text: "No steps yet; run 'step'.\n" + Self.footprintLine(e), json: .null)
    }
    let perDraw = boundsEveryDraw(e)
    let rho = Self.rhoColumns(boundsEveryDraw: perDraw)
    var table = TextTable(columns: ["layer", "d", "sent as", "bits/step", rho.observed, rho.exact, rho.bound, rho.worst, "‖ḡ‖"])
    for l in r.layers {
      table.append([l.name, String(l.count), l.compressed ? "compressed" : "float32", Self.bits(l.bits), Self.fixed(l.observedRho, 4),
                    l.exactRho.map { Self.fixed($0, 4) } ?? "—", l.boundRho.map { Self.fixed($0, 4) } ?? "—",
                    l.worstCase.map { Self.fixed($0, 4) } ?? "none", l.gradientNorm.map { Self.fixed($0, 4) } ?? "—"])
    }
    var notes = ""
    if let evaluated = e.history.last(where: { $0.testAccuracy != nil }), let accuracy = evaluated.testAccuracy {
      notes += "\nTest accuracy \(Self.fixed(accuracy * 100, 2))% at step \(evaluated.step) on \(evaluated.testExamples.map(String.init) ?? "?") test images."
    }
    if let wire = r.wire { notes += "\n" + Self.wireLine(wire) }
    if let network = e.network { notes += "\n" + network.summary + (r.cumulativeRoundSeconds.map { "; \(Self.seconds($0)) simulated so far." } ?? ".") }
    return CommandOutput(text: stepLine(r, boundsEveryDraw: perDraw) + "\n" + table.render(maxWidth: terminalWidth) + "\n" + Self.footprintLine(e) + notes, json: Self.json(r))
  }

  /// `In memory: 12.3 kB — parameters …, velocity …, [server-optimizer state …,] error-feedback memories …, history … (N steps), undo ….`
  static func footprintLine(_ e: Experiment) -> String {
    let f = e.footprint
    return "In memory: \(bytes(f.total)) — parameters \(bytes(f.parameters)), velocity \(bytes(f.velocity)), "
      + (f.serverState > 0 ? "server-optimizer state \(bytes(f.serverState)), " : "")
      + "error-feedback memories \(bytes(f.memories)), history \(bytes(f.history)) (\(e.history.count) steps), undo \(bytes(f.undo))."
  }

  /// Bytes with a unit: 950 B, 1.23 kB, 4.56 MB, 7.89 GB.
  static func bytes(_ n: Int) -> String { scaled(n, "B") }

  func theory(_ args: ParsedArguments) throws -> CommandOutput {
    let e = try experiment(args.option("on"))
    guard let r = e.history.last else { throw HSQError.missing(thing: "gradients yet", plural: true, fix: "run 'step' first") }
    let samples = try args.int("samples", default: 0, in: 0...1_000_000)
    let z = try args.double("z", in: 0.1...10) ?? 3
    let layerName = try args.option("layer").map { try e.layer(named: $0).name }
    let checks = samples > 0 ? try e.monteCarloCheck(samples: max(samples, 2), z: z, layer: layerName) : []
    let perDraw = boundsEveryDraw(e)
    let rho = Self.rhoColumns(boundsEveryDraw: perDraw)
    var table = TextTable(columns: ["layer", "d", "bits/step", "total bits", rho.observed, rho.exact, "E ρ MC ± \(formatNumber(z))·SE", rho.bound, rho.worst, "verdict"])
    var json: [JSONValue] = []
    for l in r.layers where layerName == nil || l.name == layerName {
      let check = checks.first { $0.layer == l.name }
      let total = e.history.reduce(0) { $0 + ($1.layers.first { $0.name == l.name }?.bits ?? 0) }
      let verdict = l.compressed ? check?.verdict ?? Self.theoryVerdict(l, boundsEveryDraw: perDraw) : "exact (float32)"
      let mc = check.map { "\(Self.fixed($0.mean, 4)) ± \(Self.fixed($0.halfWidth, 4))" } ?? "—"
      table.append([l.name, String(l.count), Self.bits(l.bits), Self.bits(total), Self.fixed(l.observedRho, 4),
                    l.exactRho.map { Self.fixed($0, 4) } ?? "—", mc, l.boundRho.map { Self.fixed($0, 4) } ?? "—",
                    l.worstCase.map { Self.fixed($0, 4) } ?? "none", verdict])
      json.append(.object([
        ("layer", .string(l.name)), ("d", .int(l.count)), ("bits", .int(l.bits)), ("total_bits", .int(total)),
        ("rho", .number(l.observedRho)), ("exact_rho", .number(l.exactRho)), ("mc_mean", .number(check?.mean)),
        ("mc_half_width", .number(check?.halfWidth)), ("bound_rho", .number(l.boundRho)), ("worst_case", .number(l.worstCase)),
        ("verdict", .string(verdict)),
      ]))
    }
    let worst = e.uplink.guarantee(length: r.layers.filter(\.compressed).map(\.count).max() ?? 1).description
    let header = "\(e.uplink.spec) at step \(r.step); worst case over all inputs of the largest layer: \(worst)"
    let notes = Self.theoryNotes(compressor: e.uplink.spec.prefix { $0 != ":" }.description, boundsEveryDraw: perDraw,
                                 worstCaseMissing: r.layers.contains { $0.compressed && $0.worstCase == nil })
      + e.strategyCaveats.map { "\nserver: " + $0 }.joined()
    return CommandOutput(text: header + "\n" + table.render(maxWidth: terminalWidth) + "\n" + notes, json: .array(json))
  }

  func bound(_ args: ParsedArguments) throws -> CommandOutput {
    let e = try experiment(args.option("on"))
    let horizon = try args.options["steps"].map { _ in try args.int("steps", default: 1, in: 1...10_000_000) }
    let report = try e.convergenceReport(steps: horizon)
    let x = report.inputs
    var text = "\(report.result): " + (report.applies ? "the assumptions hold" : "outside the assumptions") + "\n"
    var inputs = TextTable(columns: ["constant", "value"])
    for (k, v) in [("L", x.L), ("μ", x.mu), ("σ²", x.sigma2), ("n", Double(x.workers)), ("η", x.eta), ("f(x₀) − f*", x.initialGap),
                   ("‖x₀ − x*‖²", x.initialDistance), ("M²", x.m2), ("G²", x.g2)] { inputs.append([k, formatNumber(v)]) }
    if let w = report.omega { inputs.append(["ω", formatNumber(w)]) }
    if let d = report.delta { inputs.append(["δ", formatNumber(d)]) }
    text += inputs.render(maxWidth: terminalWidth)
    for note in report.notes { text += "\nnote: " + note }
    let T = report.distanceBound.count - 1
    var table = TextTable(columns: ["step", "‖x − x*‖² observed", "bound", "verdict"])
    var points: [JSONValue] = []
    for t in Set([0, T / 4, T / 2, 3 * T / 4, T]).sorted() where t <= e.history.count {
      let observed = t == 0 ? x.initialDistance : e.history[t - 1].distanceToOptimum ?? .nan
      let b = report.distanceBound[t]
      // Outside its assumptions the curve is only a reference: no verdict either way.
      let verdict = !report.applies ? "no guarantee" : observed <= b ? "holds" : "VIOLATED"
      table.append([String(t), formatNumber(observed), formatNumber(b), verdict])
      points.append(.object([("step", .int(t)), ("observed", .number(observed)), ("bound", .number(b))]))
    }
    text += "\n" + table.render(maxWidth: terminalWidth)
    return CommandOutput(text: text, json: .object([
      ("result", .string(report.result)), ("applies", .bool(report.applies)), ("notes", .array(report.notes.map { .string($0) })),
      ("points", .array(points)),
    ]))
  }

  /// The compressor column of `compare`: the spec, or the history when it changed during the run (`hsq → qsgd at step 20`).
  static func compressorText(_ e: Experiment) -> String {
    let spans = e.compressorHistory
    guard spans.count > 1 else { return e.uplink.spec }
    return spans.map(\.spec).joined(separator: " → ") + " at step " + spans.dropFirst().map { String($0.fromStep) }.joined(separator: ", ")
  }

  func compare(_ names: [String], target: Double? = nil) throws -> CommandOutput {
    guard !names.isEmpty else { throw HSQError.missing(thing: "experiments to compare", plural: true, fix: "create some with 'experiment'") }
    // Bits and the ratio come from the records, so they are those of the compressors the steps used.
    // On a transport: the mean per step of the bytes handed to it and of rank 0's wait beyond the slowest worker process.
    let wired = try names.contains { try experiment($0).history.contains { $0.wire != nil } }
    var table = TextTable(columns: ["experiment", "step", "epoch", "compressor", "ef", "loss", "test acc", "evaluated", "total bits up", "× fewer than float32"]
                          + (target.map { ["time to \(Self.fixed($0 * 100, 1))%"] } ?? [])
                          + (wired ? ["wire ↑/step", "wire ↓/step", "communicate/step"] : []))
    var json: [JSONValue] = []
    for name in names {
      let e = try experiment(name)
      let r = e.history.last
      let evaluated = e.history.last(where: { $0.testAccuracy != nil })
      let accuracy = evaluated?.testAccuracy
      let dense = Double(e.history.reduce(0) { $0 + $1.participants }) * Double(e.model.parameterCount) * 32
      let ratio = (r?.cumulativeBitsUp).map { $0 > 0 ? dense / Double($0) : .nan }
      var row: [String] = [name, String(e.stepCount), Self.fixed(e.epoch, 3), Self.compressorText(e), e.config.errorFeedback ? "yes" : "no"]
      row.append(r.map { Self.fixed($0.trainLoss, 4) } ?? "—")
      row.append(accuracy.map { Self.fixed($0 * 100, 2) + "%" } ?? "—")
      row.append(evaluated.map { Self.evaluatedText([$0]) } ?? "—")
      row.append(r.map { Self.bits($0.cumulativeBitsUp) } ?? "0 bit")
      row.append(ratio.map { Self.fixed($0, 1) } ?? "—")
      let reached: StepRecord? = target.flatMap { t in e.history.first { ($0.testAccuracy ?? -1) >= t } }
      if target != nil { row.append(reached.map { Self.seconds($0.timeSeconds) } ?? "not reached") }
      let wires = e.history.compactMap(\.wire)
      let perStep = { (value: (WireRecord) -> Double) in wires.isEmpty ? nil : wires.reduce(0) { $0 + value($1) } / Double(wires.count) }
      let up = perStep { Double($0.bytesUp) }, down = perStep { Double($0.bytesDown) }, communicate = perStep(\.communicateSeconds)
      if wired {
        row += [up.map { Self.bytes(Int($0.rounded())) } ?? "—", down.map { Self.bytes(Int($0.rounded())) } ?? "—",
                communicate.map(Self.milliseconds) ?? "—"]
      }
      table.append(row)
      let compressors = JSONValue.array(e.compressorHistory.map { .object([("spec", .string($0.spec)), ("from_step", .int($0.fromStep))]) })
      var fields: [(String, JSONValue)] = [("experiment", .string(name)), ("step", .int(e.stepCount)), ("compressors", compressors), ("train_loss", .number(r?.trainLoss)),
                                           ("test_accuracy", .number(accuracy)), ("evaluated_step", evaluated.map { .int($0.step) } ?? .null),
                                           ("test_examples", evaluated?.testExamples.map { .int($0) } ?? .null),
                                           ("cumulative_bits_up", .int(r?.cumulativeBitsUp ?? 0)), ("compression", .number(ratio))]
      if target != nil { fields.append(("time_to_target", .number(reached?.timeSeconds))) }
      if wired {
        fields += [("wire_bytes_up_per_step", .number(up)), ("wire_bytes_down_per_step", .number(down)),
                   ("communicate_s_per_step", .number(communicate))]
      }
      json.append(.object(fields))
    }
    return CommandOutput(text: table.render(maxWidth: terminalWidth), json: .array(json))
  }
}
