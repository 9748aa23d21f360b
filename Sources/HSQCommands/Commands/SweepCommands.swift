import Foundation
import HSQ

/// `sweep`: grids of settings × seeds, run in parallel.
enum SweepCommands: CommandSet {
  static let helpOrder = 22
  static let commands: [CommandSpec] = [
    CommandSpec(
      "sweep", group: "Experiments",
      abstract: "Runs a grid of settings × seeds in parallel: sweep cmp base=e1 compressor=hsq,identity seeds=0..4 --epochs 2.",
      discussion: "key=a,b,c sweeps a setting over values (a component keeps its own parameters: compressor=hsq:dim=16,k=256,qsgd:bits=2 is two compressors); key=v fixes a setting; base=NAME starts from an experiment's settings (else the defaults, as 'experiment'); seeds=0..4 or seeds=1,7,42 lists the seeds (default 0); settings linked with '+' change together (compressor+ef=identity+false,hsq+true is two configurations, not four). Every configuration runs once per seed, one experiment per core (each single-threaded, so its records are identical to the same experiment run alone), to the stop condition; the last step of every run is evaluated on the whole test set. One progress line shows runs done and the time left; Ctrl-C stops every run and keeps those that finished. 'compare NAME' gives each configuration's mean ± 95 % CI over seeds and the paired differences; 'plot METRIC --sweep NAME' the mean curves with their bands; 'export FILE --sweep NAME' every run in long format; 'save FILE --on NAME' and 'load FILE' keep it.",
      arguments: [ArgumentSpec("name", "the sweep's name"), ArgumentSpec("settings", "key=value or key=a,b,c …, base=NAME, seeds=0..4", completion: .setting, optional: true, variadic: true)],
      options: [OptionSpec("steps", "each run takes this many steps", value: "N"), OptionSpec("epochs", "each run until this many epochs", value: "E"),
                OptionSpec("bits", "each run until its cumulative uplink bits reach B", value: "B"),
                OptionSpec("accuracy", "each run stops once its test accuracy reaches A (evaluated every eval-every steps)", value: "A"),
                OptionSpec("distance", "each run stops once ‖x − x*‖² ≤ E (least squares); with --steps as the cap", value: "E"),
                OptionSpec("jobs", "runs at a time (default: one per core)", value: "N"), Session.replaceOption]
    ) { session, args in try session.sweep(args) },
  ]
}

extension Session {

  /// The sweep named `name`.
  func sweep(named name: String) throws -> Sweep {
    guard let sweep = sweeps[name] else {
      throw HSQError.unknownName(kind: "sweep", name: name, suggestion: closestMatch(to: name, in: Array(sweeps.keys).sorted()))
    }
    return sweep
  }

  func sweep(_ args: ParsedArguments) throws -> CommandOutput {
    let name = args.positional[0]
    let plan = try sweepPlan(Array(args.positional.dropFirst()), args)
    try requireSweepName(name, replacing: args.flag("replace"))
    let jobs = try args.int("jobs", default: ProcessInfo.processInfo.activeProcessorCount, in: 1...256)
    let start = DispatchTime.now().uptimeNanoseconds
    let sweep = try Sweep.run(name: name, plan: plan, jobs: jobs) { p in
      let eta = p.etaSeconds.map { " — about \(Self.duration($0)) left" } ?? ""
      self.progress("sweep \(name): \(p.finished)/\(p.total) runs done, \(p.running) running, \(Int(p.fraction * 100))%\(eta)")
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    bindSweep(sweep)
    recordedLine = Self.sweepLine(name, plan) + (args.flag("replace") ? " --replace" : "")
    var text = "Sweep \(name): \(plan.configurationCount) configuration(s) × \(plan.seeds.count) seed(s) = \(plan.runCount) runs, each \(Self.conditionText(plan.condition))"
    text += showsTimings ? String(format: ", in %.1f s on %d thread(s).", seconds, min(jobs, plan.runCount)) : "."
    if sweep.interrupted {
      text += "\nInterrupted: \(sweep.runs.count) of \(plan.runCount) runs finished and are kept in '\(name)'; the others were dropped."
    }
    let table = try compareSweep(sweep, target: nil, baseline: 0)
    var output = CommandOutput(text: text + "\n" + table.text, json: table.json)
    if sweep.interrupted { output.error = "the sweep was interrupted; \(sweep.runs.count) of \(plan.runCount) runs kept." }
    return output
  }

  /// Binds `sweep` under its name.
  func bindSweep(_ sweep: Sweep) {
    if sweeps[sweep.name] == nil { sweepOrder.append(sweep.name) }
    sweeps[sweep.name] = sweep
  }

  /// Throws unless `name` may name a sweep: a valid name, not a command or another variable, not a sweep unless replacing.
  func requireSweepName(_ name: String, replacing: Bool) throws {
    guard let first = name.first, first.isLetter, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
      throw HSQError.invalidArgument("'\(name)' is not a valid name; use letters, digits, '-' and '_', starting with a letter.")
    }
    guard Self.command(name) == nil else { throw HSQError.invalidArgument("'\(name)' is a command; choose another name.") }
    if let value = variables[name] { throw HSQError.invalidArgument("'\(name)' is already a \(value.kind); choose another name for the sweep.") }
    if sweeps[name] != nil, !replacing {
      throw HSQError.invalidState("'\(name)' is already a sweep; choose another name (e.g. '\(freeName(like: name))') or add --replace.")
    }
  }

  /// The plan a `sweep` command's words and options describe.
  func sweepPlan(_ words: [String], _ args: ParsedArguments) throws -> SweepPlan {
    var base = ExperimentConfig()
    base.dataset = Datasets.defaultSpec
    var axes: [SweepPlan.Axis] = []
    var fixed: [(String, String)] = []
    var seeds: [UInt64] = [0]
    for word in words {
      guard let eq = word.firstIndex(of: "=") else {
        throw HSQError.notKeyValue(text: word, within: nil, example: "lr=0.1,0.05", hint: "or 'seeds=0..4'; see 'help sweep'")
      }
      let key = String(word[..<eq]), value = String(word[word.index(after: eq)...])
      switch key {
      case "base": base = try experiment(value).config
      case "seeds": seeds = try SweepPlan.parseSeeds(value)
      default:
        let fields = try key.split(separator: "+").map { try ExperimentConfig.field(String($0)) }
        var values = fields.count > 1 || fields[0].kind == .string ? SweepPlan.splitValues(value) : value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if key == "compressor" || key == "downlink" { values = values.map(resolveCompressor) }
        if fields.count > 1 { axes.append(.init(setting: key, values: values)); continue }
        if values.count == 1 { fixed.append((key, values[0])) } else { axes.append(.init(setting: key, values: values)) }
      }
    }
    for (key, value) in fixed { try ExperimentConfig.field(key).assign(value, in: &base) }
    let condition = StopCondition(
      steps: try args.options["steps"].map { _ in try args.int("steps", default: 1, in: 1...Int(Int32.max)) },
      epochs: try args.double("epochs", in: 0...1e9), accuracy: try args.double("accuracy", in: 0...1),
      bitsBudget: try args.double("bits", in: 0...9e18).map { Int($0) }, distance: try args.double("distance", in: 0...1e300))
    return try SweepPlan(base: base, axes: axes, seeds: seeds, condition: condition)
  }

  /// The `sweep` command that reruns `plan`, every base setting spelled out (seed and threads are the sweep's own).
  static func sweepLine(_ name: String, _ plan: SweepPlan) -> String {
    let swept = Set(plan.axes.flatMap(\.settings) + ["seed", "threads"])
    var words = ["sweep", name]
    words += ExperimentConfig.listedFields(for: [plan.base]).filter { !swept.contains($0.name) }.map { Tokenizer.quoted("\($0.name)=\($0.value(in: plan.base))") }
    words += plan.axes.map { Tokenizer.quoted("\($0.setting)=\($0.values.joined(separator: ","))") }
    words.append("seeds=" + plan.seeds.map(String.init).joined(separator: ","))
    if let steps = plan.condition.steps { words.append("--steps \(steps)") }
    if let epochs = plan.condition.epochs { words.append("--epochs \(formatNumber(epochs))") }
    if let bits = plan.condition.bitsBudget { words.append("--bits \(bits)") }
    if let accuracy = plan.condition.accuracy { words.append("--accuracy \(formatNumber(accuracy))") }
    if let distance = plan.condition.distance { words.append("--distance \(formatNumber(distance))") }
    return words.joined(separator: " ")
  }

  static func conditionText(_ c: StopCondition) -> String {
    var parts: [String] = []
    if let steps = c.steps { parts.append("\(steps) steps") }
    if let epochs = c.epochs { parts.append("\(formatNumber(epochs)) epochs") }
    if let bits = c.bitsBudget { parts.append("\(Self.bits(bits)) of uplink") }
    if let accuracy = c.accuracy { parts.append("test accuracy \(fixed(accuracy * 100, 1))%") }
    if let distance = c.distance { parts.append("‖x − x*‖² ≤ \(formatNumber(distance))") }
    return parts.joined(separator: " or ")
  }
}
