import HSQ

/// `journal`, `memory`: settings of the session itself.
enum SessionCommands: CommandSet {
  static let helpOrder = 60
  static let commands: [CommandSpec] = [
    CommandSpec(
      "journal", group: "Session", abstract: "Shows the session journal, sets its interval (--steps, --seconds), or turns it on or off.",
      discussion: "The journal keeps the commands that changed the session and, at least every --steps steps or --seconds seconds of command time (default \(JournalSettings.default.everySteps) and \(Int(JournalSettings.default.everySeconds))), a snapshot of every experiment, in a private folder per working directory ($XDG_STATE_HOME/hsq/journal/…, or $HSQ_JOURNAL_DIR). If hsq dies, 'hsq-repl --recover' rebuilds the session from it; a clean exit removes it. Interactive sessions keep one by default, scripts with --journal. 'journal off' removes this session's journal; 'journal on' starts one.",
      arguments: [ArgumentSpec("switch", "on or off", optional: true)],
      options: [OptionSpec("steps", "a snapshot at least every N steps", value: "N"), OptionSpec("seconds", "… and every T seconds of command time", value: "T")],
      recorded: false
    ) { session, args in try session.journalCommand(args) },
    CommandSpec(
      "memory", group: "Session", abstract: "Shows or sets the memory limit: memory 2GB, memory default.",
      discussion: "Every command checks what it is about to allocate — a dataset's values, a model's parameters, an experiment's workers × parameter copies and batch × layer widths — against this limit first, and refuses work over it with one line instead of exhausting the machine. The default is half of the machine's memory (or of the container's limit), or HSQ_MEMORY_LIMIT when set, e.g. HSQ_MEMORY_LIMIT=2GB. Sizes take B, KB, MB, GB or TB (binary: 1 GB = 2^30 bytes); 'default' restores the default.",
      arguments: [ArgumentSpec("size", "e.g. 2GB, 512MB, or default", optional: true)], recorded: false
    ) { session, args in try session.memory(args.argument(0)) },
  ]
}

extension Session {
  func memory(_ size: String?) throws -> CommandOutput {
    if let size {
      memoryBudget = size == "default"
        ? MemoryBudget.processDefault
        : MemoryBudget(bytes: try MemoryBudget.parseSize(size))
    }
    var text = "Memory limit: \(memoryBudget)."
    if let problem = MemoryBudget.environmentProblem { text += " Ignored: \(problem)" }
    return CommandOutput(text: text, json: .object([
      ("limitBytes", .number(Double(memoryBudget.bytes))), ("origin", .string(memoryBudget.origin)),
    ]))
  }
}
