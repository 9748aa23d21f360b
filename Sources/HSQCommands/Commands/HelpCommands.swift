import HSQ

/// `help`, `apropos`, `list`, `quit`: first in help.
enum HelpCommands: CommandSet {
  static let helpOrder = 0
  static let commands: [CommandSpec] = [
    CommandSpec(
      "help", aliases: ["?"], group: "Help", abstract: "Shows commands, or help on a command, component or setting.",
      discussion: "'help' lists the commands; 'help step' shows one command; 'help hsq' a component with its parameters; 'help lr' a setting. '--full' (or '??name') adds the discussion.",
      arguments: [ArgumentSpec("topic", "a command, component, kind or setting", completion: .helpTopic, optional: true)],
      options: [OptionSpec("full", "show the extended help")], recorded: false
    ) { session, args in try session.help(args.argument(0), full: args.flag("full")) },
    CommandSpec(
      "apropos", group: "Help", abstract: "Searches commands, components and settings for a word.",
      arguments: [ArgumentSpec("word", "the word to look for")], recorded: false
    ) { session, args in session.apropos(args.positional[0]) },
    CommandSpec(
      "list", aliases: ["ls"], group: "Help", abstract: "Lists registered components of a kind, or commands, settings, variables.",
      arguments: [ArgumentSpec("what", "compressors, codebooks, models, datasets, partitions, commands, settings or variables", completion: .listTopic, optional: true)],
      recorded: false
    ) { session, args in try session.list(args.argument(0) ?? "variables") },
    CommandSpec("quit", aliases: ["exit"], group: "Help", abstract: "Leaves the session (Ctrl-D does too).", recorded: false) { session, _ in
      if let refusal = session.quitRefusal { throw HSQError.invalidState(refusal) }
      session.shouldExit = true
      return CommandOutput(text: "", json: .object([("quit", .bool(true))]))
    },
  ]
}

extension Session {
  func help(_ topic: String?, full: Bool) throws -> CommandOutput {
    guard let topic else {
      var text = "Commands (help <command> for one; help <component> for a component; ??<name> for more):\n"
      var groups: [String] = []
      for c in commands where !groups.contains(c.group) { groups.append(c.group) }
      for group in groups {
        text += "\n\(group):\n"
        for c in commands where c.group == group {
          text += "  " + c.name.padding(toLength: 12, withPad: " ", startingAt: 0) + c.abstract + "\n"
        }
      }
      text += "\nComponents: list compressors | codebooks | models | datasets | partitions | aggregators | server-optimizers. Settings: list settings."
      return CommandOutput(text: text, json: .array(commands.map { .string($0.name) }))
    }
    if let command = self.command(topic) { return commandHelp(command, full: full) }
    let infos = Catalog.infos(named: topic)
    if !infos.isEmpty {
      let text = infos.map { componentHelp($0, full: full) }.joined(separator: "\n\n")
      return CommandOutput(text: text, json: .array(infos.map { Self.json($0) }))
    }
    if let kind = Catalog.kind(topic) { return try list(kind.plural) }
    if let field = ExperimentConfig.fields.first(where: { $0.name == topic }) {
      return CommandOutput(text: "\(field.name) (setting): \(field.doc)\nChange it with 'set \(field.name) VALUE'.",
                           json: .object([("setting", .string(field.name)), ("doc", .string(field.doc))]))
    }
    let candidates = commands.map(\.name) + Catalog.allInfos.map(\.name) + ExperimentConfig.fields.map(\.name)
    throw HSQError.unknownName(kind: "help topic", name: topic, suggestion: closestMatch(to: topic, in: candidates))
  }

  func commandHelp(_ c: CommandSpec, full: Bool) -> CommandOutput {
    var text = "\(c.name) — \(c.abstract)\nUsage: \(c.usage)"
    if !c.aliases.isEmpty { text += "\nAliases: " + c.aliases.joined(separator: ", ") }
    if !c.arguments.isEmpty || !c.options.isEmpty {
      text += "\n"
      for a in c.arguments { text += "\n  <\(a.name)>".padding(toLength: 22, withPad: " ", startingAt: 0) + a.doc }
      for o in c.options {
        let left = "  --\(o.name)" + (o.valueName.map { " \($0)" } ?? "")
        text += "\n" + left.padding(toLength: 21, withPad: " ", startingAt: 0) + o.doc
      }
    }
    if full, !c.discussion.isEmpty { text += "\n\n" + c.discussion }
    else if !c.discussion.isEmpty { text += "\n(??\(c.name) for more)" }
    return CommandOutput(text: text, json: .object([("command", .string(c.name)), ("usage", .string(c.usage)), ("abstract", .string(c.abstract))]))
  }

  func componentHelp(_ info: ComponentInfo, full: Bool) -> String {
    var text = "\(info.name) (\(info.kind)) — \(info.summary)"
    if full || info.doc.count < 240, !info.doc.isEmpty { text += "\n\n" + info.doc }
    else if !info.doc.isEmpty { text += "\n(??\(info.name) for the full description)" }
    if !info.parameters.isEmpty {
      var table = TextTable(columns: ["parameter", "type", "default", "doc"])
      for p in info.parameters {
        table.append([p.name, p.typeDescription, p.defaultValue?.description ?? (p.isRequired ? "required" : "—"), p.doc])
      }
      text += "\n\nParameters (\(info.name):key=value,…):\n" + table.render(maxWidth: terminalWidth)
    }
    return text
  }

  static func json(_ info: ComponentInfo) -> JSONValue {
    .object([
      ("kind", .string(info.kind.rawValue)), ("name", .string(info.name)), ("summary", .string(info.summary)),
      ("doc", .string(info.doc)),
      ("parameters", .array(info.parameters.map { p in
        .object([("name", .string(p.name)), ("type", .string(p.typeDescription)),
                 ("default", p.defaultValue.map { .string($0.description) } ?? .null), ("doc", .string(p.doc))])
      })),
    ])
  }

  func apropos(_ word: String) -> CommandOutput {
    let needle = word.lowercased()
    var hits: [(String, String)] = []
    for c in commands where (c.name + " " + c.abstract + " " + c.discussion).lowercased().contains(needle) {
      hits.append(("command \(c.name)", c.abstract))
    }
    for info in Catalog.allInfos {
      let haystack = ([info.name, info.summary, info.doc] + info.parameters.map { $0.name + " " + $0.doc }).joined(separator: " ")
      if haystack.lowercased().contains(needle) { hits.append(("\(info.kind) \(info.name)", info.summary)) }
    }
    for f in ExperimentConfig.fields where (f.name + " " + f.doc).lowercased().contains(needle) {
      hits.append(("setting \(f.name)", f.doc))
    }
    guard !hits.isEmpty else {
      return CommandOutput(text: "Nothing mentions '\(word)'. Try 'help' for the commands.", json: .array([]))
    }
    var table = TextTable(columns: ["what", "summary"])
    for (what, summary) in hits { table.append([what, summary]) }
    return CommandOutput(text: table.render(maxWidth: terminalWidth), json: .array(hits.map { .string($0.0) }))
  }

  func list(_ what: String) throws -> CommandOutput {
    if let kind = Catalog.kind(what) {
      var table = TextTable(columns: [kind.kind.rawValue, "summary"])
      let infos = kind.infos()
      for info in infos { table.append([info.name, info.summary]) }
      return CommandOutput(text: table.render(maxWidth: terminalWidth), json: .array(infos.map { .string($0.name) }))
    }
    switch what {
    case "commands":
      return try help(nil, full: false)
    case "settings":
      var table = TextTable(columns: ["setting", "doc"])
      for f in ExperimentConfig.fields { table.append([f.name, f.doc]) }
      return CommandOutput(text: table.render(maxWidth: terminalWidth), json: .array(ExperimentConfig.fields.map { .string($0.name) }))
    case "variables", "vars":
      guard !order.isEmpty else {
        return CommandOutput(text: "No variables yet. Bind one with 'let q = compressor hsq' or 'experiment e1'.", json: .array([]))
      }
      var table = TextTable(columns: ["name", "kind", "value"])
      for name in order { table.append([name + (name == current ? " *" : ""), variables[name]!.kind, variables[name]!.summary]) }
      return CommandOutput(text: table.render(maxWidth: terminalWidth), json: .array(order.map { .string($0) }))
    default:
      let topics = Catalog.kinds.map(\.plural) + ["commands", "settings", "variables"]
      throw HSQError.unknownName(kind: "list topic", name: what, suggestion: closestMatch(to: what, in: topics))
    }
  }
}
