import Foundation
import HSQ
import HSQContract

/// `reload`, `rebind`, `check`: working with add-ons (`load` compiles them).
enum AddOnCommands: CommandSet {
  static let helpOrder = 50
  static let commands: [CommandSpec] = [
    CommandSpec(
      "reload", group: "Add-ons", abstract: "Compiles loaded add-ons again and replaces their components with the edited code.",
      discussion: "Without a path, every add-on loaded with 'load FILE.swift' (or a directory or package). An add-on may replace only names it registered itself. Experiments and variables built before keep the old instance (its code stays loaded); 'rebind' moves an experiment to the new code. A reload that fails to compile changes nothing.",
      arguments: [ArgumentSpec("path", "a loaded add-on (default: all of them)", completion: .path, optional: true)]
    ) { session, args in try session.reload(args.argument(0)) },
    CommandSpec(
      "rebind", group: "Add-ons", abstract: "Makes an experiment use the registry's current code for its compressors (after 'reload').",
      arguments: [ArgumentSpec("experiment", "the experiment (default: the current one)", completion: .experiment, optional: true)]
    ) { session, args in
      let name = args.argument(0) ?? session.current ?? ""
      let e = try session.experiment(args.argument(0))
      try e.rebindCompressors()
      return CommandOutput(text: "\(name) now uses the current code of \(e.uplink.spec).",
                           json: .object([("experiment", .string(name)), ("compressor", .string(e.uplink.spec)), ("step", .int(e.stepCount))]))
    },
    CommandSpec(
      "check", group: "Add-ons", abstract: "Holds a compressor, aggregator or server optimizer to its contract and prints a pass/fail table.",
      discussion: "The checks the test suite runs on every built-in, for the component's kind: a compressor, an aggregator (e.g. median, or one loaded) or a server optimizer (e.g. fedadam). A compressor: declaration (canonical spec, docs, guarantee), round trip (length, bits(length:) = payload bits, determinism, exact and bounded error), non-finite input, truncated and random payloads, and, over seeded Monte Carlo draws, unbiasedness per coordinate within k·σᵢ/√n (σᵢ² each coordinate's own variance) and along v, expected error and error bound within k standard errors (k = 5). An aggregator: declaration, shape and finite outputs (with outliers), determinism, permutation invariance where declared and the mean where declared linear, within the rounding of a sum of N terms. A server optimizer: declaration, shapes and finite outputs over three steps, determinism, no move on a zero update, and its first step against the update. The command fails when a check fails.",
      arguments: [ArgumentSpec("component", "a compressor such as terngrad or my-quant:levels=8, a variable, an aggregator such as median, or a server optimizer such as fedadam", completion: .component(.compressor))],
      options: [OptionSpec("draws", "Monte Carlo draws per short vector (default 2000)", value: "N")], recorded: false
    ) { session, args in try session.check(args.positional[0], draws: args.int("draws", default: 2000, in: 10...1_000_000)) },
  ]
}

extension Session {
  /// `load FILE.swift`, a directory or a package: compiles and registers an add-on.
  func loadAddOn(_ path: String) throws -> CommandOutput {
    try withCompileDiagnostics { addOnOutput(verb: "Loaded", try AddOnLoader.shared.load(resolvePath(path)), shown: path) }
  }

  /// Runs `body`; a compile failure becomes a failed output with every diagnostic as text and one line as the error.
  func withCompileDiagnostics(_ body: () throws -> CommandOutput) throws -> CommandOutput {
    do {
      return try body()
    } catch let failure as AddOnLoader.CompileFailure {
      let message = failure.description
      return CommandOutput(text: failure.diagnostics.joined(separator: "\n"), json: .object([
        ("error", .string(message)), ("diagnostics", .array(failure.diagnostics.map { .string($0) })),
      ]), error: message)
    }
  }

  func reload(_ path: String?) throws -> CommandOutput {
    let paths: [String]
    if let path {
      let resolved = resolvePath(path)
      guard AddOnLoader.shared.isLoaded(resolved) else {
        throw HSQError.invalidArgument("'\(path)' is not loaded; use 'load \(path)' first.")
      }
      paths = [resolved]
    } else {
      paths = AddOnLoader.shared.loadedPaths
      guard !paths.isEmpty else { throw HSQError.missing(thing: "add-on loaded", plural: false, fix: "'load FILE.swift' compiles and registers one") }
    }
    var outputs: [CommandOutput] = []
    for path in paths {
      let output = try withCompileDiagnostics { addOnOutput(verb: "Reloaded", try AddOnLoader.shared.load(path)) }
      guard !output.isError else { return output }
      outputs.append(output)
    }
    return CommandOutput(text: outputs.map(\.text).joined(separator: "\n"), json: .array(outputs.map(\.json)))
  }

  /// One add-on's load line, plus which experiments still hold the old code; `shown` is the path as typed.
  func addOnOutput(verb: String, _ addOn: AddOnLoader.AddOn, shown: String? = nil) -> CommandOutput {
    let names = addOn.components.map(\.name)
    let list = addOn.components.map { "\($0.kind) '\($0.name)'" }.joined(separator: ", ")
    let time = showsTimings ? " in \(String(format: "%.2f", addOn.seconds)) s" : ""
    var text = "\(verb) add-on \(shown ?? AddOnLoader.display(addOn.path))\(time): \(list)."
    if !addOn.dropped.isEmpty { text += " No longer registered: \(addOn.dropped.joined(separator: ", "))." }
    let stale = addOn.generation > 1 ? experimentNames.filter { name in
      guard let e = try? experiment(name) else { return false }
      return ([e.config.compressor, e.config.downlink, e.config.aggregatorSpec, e.config.serverOptimizerSpec]).contains { names.contains(String($0.prefix { $0 != ":" })) }
    } : []
    if !stale.isEmpty {
      text += "\nExperiment\(stale.count == 1 ? "" : "s") \(stale.joined(separator: ", ")) keep\(stale.count == 1 ? "s" : "") the old code; 'rebind NAME' switches to the new."
    }
    return CommandOutput(text: text, json: .object([
      ("add_on", .string(addOn.path)), ("components", .array(names.map { .string($0) })),
      ("generation", .int(addOn.generation)), ("seconds", .number(addOn.seconds)),
      ("stale_experiments", .array(stale.map { .string($0) })),
    ]))
  }

  func check(_ text: String, draws: Int) throws -> CommandOutput {
    let spec = resolveCompressor(text)
    let name = String(spec.prefix { $0 != ":" })
    let strategyKind = variables[text] == nil && !Compressors.registry.contains(name)
      ? (Aggregators.registry.contains(name) ? "aggregator" : ServerOptimizers.registry.contains(name) ? "server_optimizer" : nil) : nil
    let results = switch strategyKind {
    case "aggregator": try AggregatorContract.check(spec)
    case "server_optimizer": try ServerOptimizerContract.check(spec)
    default: try CompressorContract.check(spec, options: .init(draws: draws, longDraws: max(10, draws / 20)))
    }
    var table = TextTable(columns: ["check", "result", "cases", "detail"])
    for r in results {
      table.append([r.name, !r.applies ? "n/a" : r.passed ? "pass" : "FAIL", String(r.cases), r.passed && r.applies ? "" : r.detail])
    }
    let failed = results.filter { !$0.passed }
    let applicable = results.filter(\.applies).count
    // "applicable" only when some check had nothing to check (a biased compressor's unbiasedness).
    let (checks, notApplicable) = applicable < results.count
      ? ("applicable contract checks", " (\(results.count - applicable) not applicable)") : ("contract checks", "")
    let summary = failed.isEmpty
      ? "'\(spec)' passes all \(applicable) \(checks)\(notApplicable)."
      : "'\(spec)' fails \(failed.count) of \(applicable) \(checks): \(failed.map(\.name).joined(separator: ", "))\(notApplicable)."
    let json = JSONValue.object((failed.isEmpty ? [] : [("error", .string(summary))]) + [
      (strategyKind ?? "compressor", .string(spec)), ("passed", .bool(failed.isEmpty)),
      ("checks", .array(results.map { r in
        .object([("name", .string(r.name)), ("passed", .bool(r.passed)), ("applies", .bool(r.applies)), ("cases", .int(r.cases)),
                 ("detail", .string(r.detail))])
      })),
    ])
    let text = table.render(maxWidth: terminalWidth) + "\n" + summary
    return CommandOutput(text: text, json: json, error: failed.isEmpty ? nil : summary)
  }
}
