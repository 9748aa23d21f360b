import Foundation
import HSQ

/// `eval`: evaluates the current model on demand.
enum EvaluationCommands: CommandSet {
  static let helpOrder = 21
  static let commands: [CommandSpec] = [
    CommandSpec(
      "eval", group: "Experiments", abstract: "Evaluates the current model now on the whole test set (or --subset N), and keeps it in the last step's record.",
      discussion: "The accuracy goes into the last step's record with the number of test images, so 'show history', 'compare' and 'export' show when and on what it was measured. Before the first step the result is only printed.",
      options: [OptionSpec("subset", "evaluate on the first N test images only", value: "N"),
                OptionSpec("on", "the experiment (default: the current one)", value: "NAME", completion: .experiment)]
    ) { session, args in try session.evaluate(args) },
  ]
}

extension Session {

  func evaluate(_ args: ParsedArguments) throws -> CommandOutput {
    let e = try experiment(args.option("on"))
    let subset = try args.options["subset"].map { _ in try args.int("subset", default: 1, in: 1...Int(Int32.max)) }
    let evaluation = try e.evaluateNow(subset: subset)
    var text = "step \(e.stepCount): test "
    if let accuracy = evaluation.accuracy { text += "accuracy \(Self.fixed(accuracy * 100, 2))%, " }
    text += "loss \(Self.fixed(evaluation.loss, 4)) on \(evaluation.count) of \(e.dataset.test.count) test images"
    text += e.stepCount == 0 ? " (before the first step; not recorded)." : "."
    return CommandOutput(text: text, json: .object([
      ("step", .int(e.stepCount)), ("test_accuracy", .number(evaluation.accuracy)), ("test_loss", .number(evaluation.loss)), ("test_examples", .int(evaluation.count)),
    ]))
  }

  /// `show partition`: per worker its examples and class histogram (bars), with what an epoch means; `--svg` draws it.
  func showPartition(_ e: Experiment, svg: String?) throws -> CommandOutput {
    let summary = e.partitionSummary
    let most = max(1, summary.counts.max() ?? 1)
    let classes = summary.classCount
    var table = TextTable(columns: ["worker", "examples", "classes", "top class share"] + (classes <= 10 ? (0..<classes).map { "c\($0)" } : []) + ["bar"])
    var rows: [JSONValue] = []
    for w in summary.counts.indices {
      let bar = String(repeating: "█", count: max(summary.counts[w] > 0 ? 1 : 0, summary.counts[w] * 24 / most))
      table.append([String(w), String(summary.counts[w]), "\(summary.classesHeld(by: w))/\(classes)", Self.fixed(summary.dominantShare(of: w) * 100, 1) + "%"]
                   + (classes <= 10 ? summary.histograms[w].map(String.init) : []) + [bar])
      rows.append(.object([("worker", .int(w)), ("examples", .int(summary.counts[w])), ("histogram", .array(summary.histograms[w].map { .int($0) }))]))
    }
    var output = CommandOutput(text: "\(e.config.partition) over \(e.config.workers) workers (seed \(e.config.seed)):\n" + table.render(maxWidth: terminalWidth) + "\n" + e.epochMeaning,
                               json: .object([("partition", .string(e.config.partition)), ("workers", .array(rows))]))
    if let svg {
      let path = try resolveOutputPath(svg)
      try AtomicFile.write(summary.svg(title: "\(e.config.partition), \(e.config.workers) workers — examples per worker by class"), to: path)
      output.files.append(path)
      output.text += "\nWrote \(svg)."
    }
    return output
  }

  /// `export FILE --experiments a,b --sweep NAME`: long format.
  func exportLong(_ args: ParsedArguments) throws -> CommandOutput {
    var runs: [LongMetricsTable.Run] = []
    for name in args.option("experiments").map({ $0.split(separator: ",").map(String.init) }) ?? [] {
      let e = try experiment(name)
      runs.append(.init(name: name, config: e.config, history: e.history))
    }
    if let name = args.option("sweep") { runs += try sweep(named: name).longRuns }
    let path = try resolveOutputPath(args.positional[0])
    let table = LongMetricsTable(runs)
    try table.write(to: path)
    return CommandOutput(text: "Wrote \(table.rows.count) rows × \(table.columns.count) columns (\(runs.count) experiments, long format) to \(args.positional[0]).",
                         json: .object([("file", .string(path)), ("rows", .int(table.rows.count)), ("experiments", .int(runs.count))]), files: [path])
  }
}
