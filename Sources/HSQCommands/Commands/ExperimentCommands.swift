import Foundation
import HSQ

/// `experiment`, `use`, `set`, `step`, `run`, `reset`, `tour`.
enum ExperimentCommands: CommandSet {
  static let helpOrder = 20
  static let commands: [CommandSpec] = [
    CommandSpec(
      "experiment", aliases: ["exp"], group: "Experiments",
      abstract: "Creates an experiment from settings and makes it current: experiment e1 compressor=hsq workers=8.",
      discussion: "Every setting (see 'list settings') can be given as key=value; the rest take their defaults (dataset: Fashion-MNIST when installed, else a synthetic Gaussian mixture). Compressor values may name a variable bound with 'let'. The experiment starts at step 0 with parameters drawn from the seed. A name that holds an experiment which has taken steps is replaced only with --replace.",
      arguments: [ArgumentSpec("name", "the experiment's name"), ArgumentSpec("settings", "key=value …", completion: .setting, optional: true, variadic: true)],
      options: [Session.replaceOption]
    ) { session, args in try session.createExperiment(args.positional[0], settings: Array(args.positional.dropFirst()), replacing: args.flag("replace")) },
    CommandSpec(
      "use", group: "Experiments", abstract: "Makes another experiment current.",
      arguments: [ArgumentSpec("name", "an experiment", completion: .experiment)]
    ) { session, args in
      _ = try session.experiment(args.positional[0])
      session.current = args.positional[0]
      return CommandOutput(text: "Current experiment: \(args.positional[0]).", json: .object([("current", .string(args.positional[0]))]))
    },
    CommandSpec(
      "set", group: "Experiments", abstract: "Changes a setting of the current experiment between steps (recorded).",
      discussion: "Compressor, learning rate, momentum, error feedback … may change at any step; the change goes into the experiment's event log ('show events'). Settings that define the problem (model, dataset, partition, workers, seed, protocol) may change only at step 0.",
      arguments: [ArgumentSpec("setting", "a setting name, or NAME=VALUE", completion: .setting),
                  ArgumentSpec("value", "its new value", completion: .anyComponent, optional: true)],
      options: [OptionSpec("on", "the experiment (default: the current one)", value: "NAME", completion: .experiment)]
    ) { session, args in
      let (name, given) = try Self.settingAndValue(args.positional)
      let e = try session.experiment(args.option("on"))
      let value = ["compressor", "downlink"].contains(name) ? session.resolveCompressor(given) : given
      try e.set(name, to: value)
      session.recordedLine = "set \(name) \(value)" + (args.option("on").map { " --on \($0)" } ?? "")
      return CommandOutput(text: e.events.last!.text, json: .object([("setting", .string(name)), ("value", .string(value)), ("step", .int(e.stepCount))]))
    },
    CommandSpec(
      "step", group: "Experiments", abstract: "Advances the current experiment by N steps (default 1).",
      discussion: "Ctrl-C stops between steps; the experiment stays consistent. Each step's line shows the training loss, the uplink bits (from real payloads) and, per compressed layer, the observed error ρ against the compressor's bound.",
      arguments: [ArgumentSpec("count", "how many steps", optional: true)]
    ) { session, args in
      let n = args.argument(0).map { Int($0) } ?? 1
      guard let n, n >= 1 else { throw HSQError.invalidArgument("'step' takes a positive whole number of steps, e.g. 'step 10'.") }
      return try session.run(StopCondition(steps: n))
    },
    CommandSpec(
      "run", group: "Experiments", abstract: "Steps until a condition: --steps, --epochs, --loss, --accuracy, --bits or --distance.",
      discussion: "The first condition met stops the run; divergence (NaN/Inf or a loss blow-up) stops it before the bad step is applied, and Ctrl-C between steps.",
      options: [OptionSpec("steps", "at most this many steps", value: "N"), OptionSpec("epochs", "until this many epochs in total", value: "E"),
                OptionSpec("loss", "until the training loss is at most L", value: "L"), OptionSpec("accuracy", "until the test accuracy is at least A", value: "A"),
                OptionSpec("bits", "until the cumulative uplink bits reach B", value: "B"),
                OptionSpec("distance", "until ‖x − x*‖² is at most E (models with a closed-form optimum)", value: "E")]
    ) { session, args in
      let condition = StopCondition(
        steps: try args.options["steps"].map { _ in try args.int("steps", default: 1, in: 1...Int(Int32.max)) },
        epochs: try args.double("epochs", in: 0...1e9), loss: try args.double("loss", in: -1e300...1e300),
        accuracy: try args.double("accuracy", in: 0...1), bitsBudget: try args.double("bits", in: 0...9e18).map { Int($0) },
        distance: try args.double("distance", in: 0...1e300))
      guard !condition.isUnbounded else {
        throw HSQError.invalidArgument("'run' needs a stop condition, e.g. 'run --steps 100' or 'run --accuracy 0.85 --steps 5000'.")
      }
      return try session.run(condition)
    },
    CommandSpec(
      "reset", group: "Experiments", abstract: "Starts the current experiment again from step 0 with its current settings."
    ) { session, _ in
      let name = session.current ?? ""
      let e = try session.experiment()
      try session.bind(name, .experiment(try Experiment(e.config)), replacing: true)
      return CommandOutput(text: "\(name) is back at step 0.", json: .object([("experiment", .string(name)), ("step", .int(0))]))
    },
    CommandSpec(
      "tour", group: "Experiments", abstract: "Creates a guided first experiment (Fashion-MNIST when installed, else synthetic data).",
      discussion: "The experiment is named 'first'; when 'first' has taken steps, 'tour' leaves it alone unless given --replace.",
      options: [Session.replaceOption], recorded: true
    ) { session, args in try session.tour(replacing: args.flag("replace")) },
  ]

  /// `set`'s setting and value: `set lr 0.2`, or `set lr=0.2` as in `experiment`'s settings.
  static func settingAndValue(_ positional: [String]) throws -> (name: String, value: String) {
    let first = positional[0]
    if let equals = first.firstIndex(of: "="), first.first != "=" {
      let (name, value) = (String(first[..<equals]), String(first[first.index(after: equals)...]))
      guard positional.count == 1 else {
        throw HSQError.invalidArgument(
          "'set' changes one setting at a time: 'set \(name)=\(value)', then 'set \(positional[1])'.")
      }
      guard !value.isEmpty else { throw HSQError.invalidArgument("'set \(first)' has no value, e.g. 'set \(name)=0.2'.") }
      return (name, value)
    }
    guard positional.count == 2 else {
      throw HSQError.invalidArgument("'set' needs a value, e.g. 'set \(first) VALUE' or 'set \(first)=VALUE'.")
    }
    return (first, positional[1])
  }
}

extension Session {
  /// `--replace`, for commands that bind a name: allows replacing an experiment that has taken steps.
  static let replaceOption = OptionSpec("replace", "replace the experiment of that name even when it has taken steps")

  func createExperiment(_ name: String, settings: [String], replacing: Bool) throws -> CommandOutput {
    try requireBindable(name, replacing: replacing)
    var config = ExperimentConfig()
    config.dataset = Datasets.defaultSpec
    for word in settings {
      guard let eq = word.firstIndex(of: "=") else {
        throw HSQError.notKeyValue(text: word, within: nil, example: "lr=0.05", hint: "see 'list settings'")
      }
      let key = String(word[..<eq])
      var value = String(word[word.index(after: eq)...])
      if ["compressor", "downlink"].contains(key) { value = resolveCompressor(value) }
      try ExperimentConfig.field(key).assign(value, in: &config)
    }
    let experiment = try Experiment(config)
    try bind(name, .experiment(experiment), replacing: replacing)
    current = name
    recordedLine = Self.experimentLine(name, config) + (replacing ? " --replace" : "")
    return describeExperiment(name, experiment)
  }

  /// The `experiment` command that recreates `config` under `name`, with every setting spelled out
  /// (so defaults changing later cannot change a replay).
  static func experimentLine(_ name: String, _ config: ExperimentConfig) -> String {
    "experiment \(name) " + ExperimentConfig.listedFields(for: [config]).map { "\($0.name)=\($0.value(in: config))" }.joined(separator: " ")
  }

  func describeExperiment(_ name: String, _ e: Experiment) -> CommandOutput {
    let d = e.dataset
    var text = "\(name): \(e.model.spec) on \(d.name) (\(d.train.count) train, \(d.test.count) test, \(d.train.featureCount) features)\n"
    text += "\(e.config.workers) workers × batch \(e.config.batch), \(e.config.partition), lr \(formatNumber(e.config.lr))"
    text += e.config.momentum > 0 ? ", momentum \(formatNumber(e.config.momentum))" : ""
    text += e.config.errorFeedback ? ", error feedback (scale \(e.config.efScale))" : ""
    text += "\nuplink: \(e.uplink.spec)" + (e.downlink.map { ", downlink: \($0.spec)" } ?? "") + "\n"
    if e.config.aggregator != nil || e.config.serverOptimizer != nil {
      text += "server: aggregator \(e.aggregator.spec), optimizer \(e.serverOptimizer.spec)\n"
    }
    var table = TextTable(columns: ["layer", "shape", "parameters", "sent as", "bits/worker", "worst case, all inputs"])
    for layer in e.model.layers {
      let compressed = e.config.compresses(parameterCount: layer.count)
      let bits = compressed ? e.uplink.bits(length: layer.count) : 32 * layer.count
      let g = compressed ? e.uplink.guarantee(length: layer.count).description : "exact"
      table.append([layer.name, layer.shape.map(String.init).joined(separator: "×"), String(layer.count),
                    compressed ? "compressed" : "float32", bits.map(String.init) ?? "varies", g])
    }
    text += table.render(maxWidth: terminalWidth)
    return CommandOutput(text: text, json: .object([
      ("experiment", .string(name)), ("model", .string(e.model.spec)), ("dataset", .string(d.name)),
      ("compressor", .string(e.uplink.spec)), ("parameters", .int(e.model.parameterCount)), ("step", .int(e.stepCount)),
    ]))
  }

  func run(_ condition: StopCondition) throws -> CommandOutput {
    let e = try experiment()
    let total = condition.steps ?? 0
    let perDraw = boundsEveryDraw(e)
    var lines: [String] = []
    // Progress (interactive only) goes out at most twice a second; the returned text is deterministic.
    let started = DispatchTime.now().uptimeNanoseconds, startStep = e.stepCount, startEpoch = e.epoch
    var lastProgress = started
    let outcome = e.run(until: condition) { record in
      self.journalAfterStep()
      if total > 0, total <= 10 {
        lines.append(self.stepLine(record, boundsEveryDraw: perDraw))
      } else {
        let now = DispatchTime.now().uptimeNanoseconds
        if now - lastProgress >= 500_000_000 {
          lastProgress = now
          // The share done of the step or epoch count gives the time left (a target loss or accuracy gives none).
          let done = max(condition.steps.map { Double(record.step - startStep) / Double(max(1, $0)) } ?? 0,
                         condition.epochs.map { (record.epoch - startEpoch) / max($0, 1e-12) } ?? 0)
          let eta = done > 0 ? "  ETA \(Self.duration(Double(now - started) / 1e9 * (1 - min(done, 1)) / done))" : ""
          self.progress(self.stepLine(record, boundsEveryDraw: perDraw) + eta)
        }
      }
    }
    if total > 10 || total == 0, let last = outcome.records.last { lines.append(stepLine(last, boundsEveryDraw: perDraw)) }
    else if let last = outcome.records.last, !lines.isEmpty { lines[lines.count - 1] = stepLine(last, boundsEveryDraw: perDraw) }
    var text = lines.joined(separator: "\n")
    switch outcome.reason {
    case .interrupted, .failed: journal?.commandWasCut = true
    default: break
    }
    if let stop = Self.stopLine(outcome, total: total, stepCount: e.stepCount) { text += (text.isEmpty ? "" : "\n") + stop }
    let json: JSONValue = .object([
      ("steps", .int(outcome.records.count)), ("stop", .string(outcome.reason.description)), ("step", .int(e.stepCount)),
      ("records", .array(outcome.records.map(Self.json))),
    ])
    if case .failed = outcome.reason, outcome.records.isEmpty { return .failure(outcome.reason.description) }
    if case .diverged = outcome.reason {
      var output = CommandOutput(text: text, json: json)
      output.error = outcome.reason.description
      return output
    }
    return CommandOutput(text: text, json: json)
  }

  /// The line `run` ends with to say why it stopped; `nil` when it ran the `total` steps asked for.
  private static func stopLine(_ outcome: RunOutcome, total: Int, stepCount: Int) -> String? {
    switch outcome.reason {
    case .steps where total > 0: return nil
    case .diverged(let message), .failed(let message): return message
    case .interrupted: return "Interrupted after \(outcome.records.count) step(s); the experiment is consistent at step \(stepCount)."
    default: return "Stopped: \(outcome.reason) after \(outcome.records.count) step(s)."
    }
  }

  /// One step as a line: loss, accuracy, bits, and ρ against the bound for the largest compressed layer
  /// (one draw against E ρ's bound only when the bound holds for every draw; see ``rhoText(_:boundsEveryDraw:)``).
  func stepLine(_ r: StepRecord, boundsEveryDraw: Bool) -> String {
    var parts = ["step \(r.step)", "epoch \(Self.fixed(r.epoch, 3))", "loss \(Self.fixed(r.trainLoss, 4))"]
    if let acc = r.testAccuracy { parts.append("test acc \(Self.fixed(acc * 100, 2))%") }
    parts.append("up \(Self.bits(r.bitsUp)) (total \(Self.bits(r.cumulativeBitsUp)))")
    if let w = r.wire { parts.append("wire ↑\(w.bytesUp) B ↓\(w.bytesDown) B") }
    if let layer = r.layers.filter(\.compressed).max(by: { $0.count < $1.count }) {
      parts.append(Self.rhoText(layer, boundsEveryDraw: boundsEveryDraw))
    }
    return parts.joined(separator: "  ")
  }

  /// Seconds as `42s`, `3m 05s` or `2h 07m`.
  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds < 1e9 else { return "unknown" }
    let s = Int(seconds.rounded(.up))
    if s < 60 { return "\(s)s" }
    if s < 3600 { return String(format: "%dm %02ds", s / 60, s % 60) }
    return String(format: "%dh %02dm", s / 3600, s % 3600 / 60)
  }

  static func fixed(_ x: Double, _ digits: Int) -> String {
    x.isFinite ? String(format: "%.\(digits)f", x) : "\(x)"
  }

  /// Bits with a unit: 950 bit, 1.23 kbit, 4.56 Mbit, 7.89 Gbit.
  static func bits(_ n: Int) -> String { scaled(n, "bit") }

  /// `n` with `unit` and a decimal prefix: 950 bit, 1.23 kbit, 4.56 Mbit, 7.89 Gbit.
  static func scaled(_ n: Int, _ unit: String) -> String {
    let x = Double(n)
    if x < 1e3 { return "\(n) \(unit)" }
    if x < 1e6 { return String(format: "%.2f k\(unit)", x / 1e3) }
    if x < 1e9 { return String(format: "%.2f M\(unit)", x / 1e6) }
    return String(format: "%.2f G\(unit)", x / 1e9)
  }

  /// A step as `--json` shows it: the record's own encoding, the names `export` and checkpoints use.
  static func json(_ r: StepRecord) -> JSONValue {
    (try? JSONValue(encoding: r)) ?? .null
  }

  func tour(replacing: Bool) throws -> CommandOutput {
    let dataset = Datasets.defaultSpec
    var output = try createExperiment("first", settings: [
      "dataset=\(dataset)", "model=mlp:hidden=128", "compressor=hsq:dim=16,k=256,codebook=kmeans,norm-bits=6",
      "ef=true", "workers=8", "batch=32", "lr=0.1", "eval-every=50", "test-subset=2000",
    ], replacing: replacing)
    let real = dataset == "fashion-mnist"
    output.text = """
      Guided tour: an MLP learns \(real ? "Fashion-MNIST" : "a synthetic 10-class Gaussian mixture (install dataset-fashion-mnist for the real data)") \
      on 8 workers that send HSQ-compressed gradients (D = 16, K = 256, n = 6 (7 bits) scalars, error feedback).

      """ + output.text + """


      Try next:
        step 20                     advance 20 steps; each line shows loss, bits and ρ (one draw) next to E ρ
        theory --samples 50         observed error per layer next to the exact value, a Monte Carlo CI and the bound
        plot loss                   the training loss in the terminal (add --svg loss.svg for a figure)
        set compressor identity     swap the compressor between steps (recorded in 'show events')
        run --steps 200             keep going (Ctrl-C stops between steps)
        help                        everything else
      """
    return output
  }
}
