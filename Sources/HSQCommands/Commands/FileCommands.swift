import Foundation
import HSQ

/// `plot`, `export`, `save`, `load`, `record`, `replay`.
enum FileCommands: CommandSet {
  static let helpOrder = 40
  static let commands: [CommandSpec] = [
    CommandSpec(
      "plot", group: "Files and plots", abstract: "Plots a metric over steps in the terminal, and as SVG with --svg.",
      discussion: "Metrics: loss, test-loss, accuracy (in %), bits (cumulative uplink), rho (observed error of a layer — one draw, with E ρ, for a randomized compressor — with the bound for these inputs and the worst case over all inputs), grad-norm, distance (‖x − x*‖²), lr; on a transport (backend=mpi) wire-up and wire-down (bytes per step) and communicate (seconds rank 0 waited on the wire beyond the slowest worker process). --x chooses the horizontal axis: step (default), epoch, bits or time. Several experiments share one plot with --experiments a,b; --sweep NAME plots a sweep's mean curves with their 95% CI bands. Each series has its own colour, marker and dash; its legend label says what it is (compressor with its settings, + EF, and the settings in which the experiments differ) unless --labels names them. --smooth N draws the exponential moving average of span N (for the noisy per-step loss). Two views of a sweep's target take one point a configuration, log–log with 95% CI bars: 'plot bits-to-target --sweep NAME --distance E' (or --target A) draws total uplink bits to the target against bits per iteration, 'plot iterations-to-target' iterations against the declared ω or 1 − δ; configurations sharing a --labels entry form one line, and --point-labels a|b|… writes text by each point.",
      arguments: [ArgumentSpec("metric", "what to plot", completion: .metric)],
      options: [OptionSpec("x", "step, epoch, bits or time (simulated under 'network', else wall)", value: "AXIS"), OptionSpec("experiments", "comma-separated experiments (default: the current one)", value: "A,B", completion: .experiment),
                OptionSpec("sweep", "a sweep: each configuration's mean over seeds with its 95% CI band", value: "NAME"),
                OptionSpec("layer", "the layer for rho (default: the largest compressed one)", value: "NAME", completion: .layer),
                OptionSpec("svg", "also write the plot as an SVG file", value: "FILE", completion: .path),
                OptionSpec("log", "logarithmic y axis"), OptionSpec("logx", "logarithmic x axis (e.g. for --x bits)"),
                OptionSpec("title", "the title (default: the metric and what the experiments share)", value: "TEXT"),
                OptionSpec("labels", "legend labels, one per experiment or configuration, separated by '|'", value: "A|B"),
                OptionSpec("smooth", "exponential moving average of span N", value: "N"),
                OptionSpec("distance", "bits-to-target and iterations-to-target: the target ‖x − x*‖² ≤ E", value: "E"),
                OptionSpec("target", "bits-to-target and iterations-to-target: the target test accuracy", value: "A"),
                OptionSpec("point-labels", "bits-to-target and iterations-to-target: text by each configuration's point, separated by '|'", value: "A|B"),
                OptionSpec("width", "SVG width in pixels (default 640)", value: "PX"), OptionSpec("height", "SVG height in pixels (default 400)", value: "PX"),
                OptionSpec("rows", "terminal rows (default 16)", value: "N")]
    ) { session, args in try session.plot(args) },
    CommandSpec(
      "export", group: "Files and plots", abstract: "Writes an experiment's metrics as CSV (.csv) or JSON lines (.jsonl), pandas-ready.",
      discussion: "One experiment: one row a step, per-layer quantities as columns, and on a transport (backend=mpi) its wire figures as wire.bytes_up, wire.exchange_s … columns. With --experiments a,b or --sweep NAME (or both): long format, one row per (experiment, step) with the experiment's name, its sweep configuration, seed and every setting as columns.",
      arguments: [ArgumentSpec("file", "a .csv or .jsonl path", completion: .path)],
      options: [OptionSpec("on", "the experiment (default: the current one)", value: "NAME", completion: .experiment),
                OptionSpec("experiments", "several experiments, in long format", value: "A,B", completion: .experiment),
                OptionSpec("sweep", "every run of a sweep, in long format", value: "NAME")]
    ) { session, args in
      if args.option("experiments") != nil || args.option("sweep") != nil { return try session.exportLong(args) }
      let e = try session.experiment(args.option("on"))
      let path = try session.resolveOutputPath(args.positional[0])
      let table = MetricsTable(e.history)
      try table.write(to: path)
      return CommandOutput(text: "Wrote \(table.rows.count) rows × \(table.columns.count) columns to \(args.positional[0]).",
                           json: .object([("file", .string(path)), ("rows", .int(table.rows.count))]), files: [path])
    },
    CommandSpec(
      "save", group: "Files and plots", abstract: "Saves an experiment (config, parameters, memories, history) to a safetensors file, or a sweep's runs (--on SWEEP) to JSON.",
      discussion: "An experiment's checkpoint is a safetensors file (e.g. e.safetensors; NumPy, PyTorch and JAX open it): its tensors raw Float32 (parameters.LAYER, velocity.LAYER, memories.WORKER.LAYER for each client whose error-feedback memory is not zeros), its config, counters, history and events as JSON in the metadata key 'checkpoint'. It is written streamed and atomically. A .json name is refused: JSON checkpoints of earlier versions still load, but are no longer written.",
      arguments: [ArgumentSpec("file", "the file to write", completion: .path)],
      options: [OptionSpec("on", "the experiment (default: the current one)", value: "NAME", completion: .experiment)]
    ) { session, args in
      if let name = args.option("on"), let sweep = session.sweeps[name] {
        let path = try session.resolveOutputPath(args.positional[0])
        try sweep.save(to: path)
        return CommandOutput(text: "Saved sweep \(name) (\(sweep.runs.count) runs) to \(args.positional[0]).", json: .object([("file", .string(path)), ("runs", .int(sweep.runs.count))]), files: [path])
      }
      let e = try session.experiment(args.option("on"))
      let path = try session.resolveOutputPath(args.positional[0])
      try e.save(to: path)
      return CommandOutput(text: "Saved at step \(e.stepCount) to \(args.positional[0]).", json: .object([("file", .string(path)), ("step", .int(e.stepCount))]), files: [path])
    },
    CommandSpec(
      "load", group: "Files and plots", abstract: "Loads a saved experiment, or compiles and registers an add-on: compressors, commands (.swift, directory, package).",
      discussion: "What is loaded is decided by the path alone: a .swift file, or a directory holding Package.swift or .swift files, is an add-on; anything else is a file written by 'save' (a safetensors checkpoint, a JSON checkpoint of an earlier version, or a sweep), bound as an experiment; stepping it continues bit-identically. An add-on read from a script, a replay or a notebook is compiled only when that was run with --allow-load. An add-on is compiled with the swiftc that built hsq against this build's modules, opened, and its 'hsq_register' entry point registers its components and commands (see 'swift package hsq-new-compressor NAME' for a template). Compile errors are shown with file:line and change nothing; 'reload' picks up edits; 'check NAME' holds the compressor to the contract. A name that holds an experiment which has taken steps is replaced only with --replace.",
      arguments: [ArgumentSpec("file", "a file written by 'save', or an add-on's .swift file, directory or package", completion: .path)],
      options: [OptionSpec("as", "the name to bind (default: the file's name)", value: "NAME"), Session.replaceOption]
    ) { session, args in
      let path = session.resolvePath(args.positional[0])
      if try AddOnSources.isAddOn(path, shown: args.positional[0]) {
        try session.requireLoadPermission(args.positional[0])
        return try session.loadAddOn(args.positional[0])
      }
      let name = args.option("as") ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
      if try Sweep.isSweepFile(path) {
        try session.requireSweepName(name, replacing: args.flag("replace"))
        let sweep = try Sweep.load(from: path, as: name)
        session.bindSweep(sweep)
        return CommandOutput(text: "Loaded sweep \(name): \(sweep.runs.count) runs.", json: .object([("sweep", .string(name)), ("runs", .int(sweep.runs.count))]))
      }
      try session.requireBindable(name, replacing: args.flag("replace"))
      let e = try Experiment.load(from: path)
      try session.bind(name, .experiment(e), replacing: args.flag("replace"))
      session.current = name
      return CommandOutput(text: "Loaded experiment \(name) at step \(e.stepCount).", json: .object([("experiment", .string(name)), ("step", .int(e.stepCount))]))
    },
    CommandSpec(
      "record", group: "Files and plots", abstract: "Records the session's commands to a script; 'record stop' writes it with check digests.",
      discussion: "Every command that changes state is kept in full (experiments with all their settings) and written to the file as soon as it has run, so a session that is killed leaves a script that replays. A recording started mid-session begins with the commands that recreate the session as it is: 'let' lines, 'experiment' lines for experiments at step 0, and 'load FILE.NAME.json --as NAME' for experiments with steps, from checkpoints written beside the script. 'record stop' (or leaving the session) ends the file with a '# check' line per experiment that 'replay FILE --check' verifies bit for bit.",
      arguments: [ArgumentSpec("file", "the script to write, or 'stop'", completion: .path)], recorded: false
    ) { session, args in try session.record(args.positional[0]) },
    CommandSpec(
      "replay", group: "Files and plots", abstract: "Runs a script in this session, or with --check in a fresh one and verifies its digests.",
      discussion: "A script that loads code ('load FILE.swift', a directory or a package) runs only with --allow-load. A script may replay others, but not itself (directly or through others), and at most \(Session.maximumFileDepth) deep. Ctrl-C stops the replay at the line running, and says which.",
      arguments: [ArgumentSpec("file", "a script (.hsq)", completion: .path)],
      options: [OptionSpec("check", "replay in a fresh session and compare every experiment with the script's '# check' lines"),
                OptionSpec("allow-load", "let the script compile and load add-ons ('load FILE.swift')")], recorded: false
    ) { session, args in try session.replay(args.positional[0], check: args.flag("check"), allowLoad: args.flag("allow-load")) },
  ]
}

extension Session {
  func record(_ target: String) throws -> CommandOutput {
    if target == "stop" {
      guard let recorder else { throw HSQError.missing(thing: "recording running", plural: false, fix: "start one with 'record FILE'") }
      self.recorder = nil
      try recorder.finish(for: self)
      return CommandOutput(text: "Wrote \(recorder.count) commands to \(recorder.path).", json: .object([("file", .string(recorder.path)), ("commands", .int(recorder.count))]), files: [recorder.path])
    }
    guard recorder == nil else { throw HSQError.invalidState("Already recording to \(recorder!.path); 'record stop' first.") }
    let path = try resolveOutputPath(target)
    try AtomicFile.requireRegularOrAbsent(path)
    let preamble = try recordingPreamble(target: target)
    recorder = try SessionRecorder(path: path, preamble: preamble)
    let restored = preamble.isEmpty ? "" : " It starts with \(preamble.count) command(s) that recreate the session as it is now."
    return CommandOutput(text: "Recording to \(target); each command is written as it runs, 'record stop' adds the checks.\(restored)",
                         json: .object([("file", .string(path)), ("preamble", .int(preamble.count))]))
  }

  /// Ends the recording, if any, with its check lines (the REPL and scripts call this on exit).
  public func finishRecording() throws {
    guard let recorder else { return }
    self.recorder = nil
    try recorder.finish(for: self)
  }
}
