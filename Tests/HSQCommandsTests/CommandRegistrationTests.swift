import Foundation
@testable import HSQCommands
import HSQ
import Testing

/// A set of commands as a package declares one: the same `CommandSpec`s the built-ins use.
enum BitsTableCommands: CommandSet {
  static let commands = [
    CommandSpec(
      "bits-table", aliases: ["bt"], group: "Outside", abstract: "Tabulates a compressor's bits per coordinate over vector lengths.",
      discussion: "Each length in --d is a row: the payload's bits and bits per coordinate (the quintessential sweep).",
      arguments: [ArgumentSpec("compressor", "a compressor such as qsgd:levels=4, or a variable", completion: .component(.compressor))],
      options: [OptionSpec("d", "comma-separated lengths (default 16,1024)", value: "LIST"), OptionSpec("total", "add a row with the sum")],
      recorded: false
    ) { session, args in
      let spec = session.resolveCompressor(args.positional[0])
      let compressor = try Compressors.make(spec)
      let lengths = (args.option("d") ?? "16,1024").split(separator: ",").compactMap { Int($0) }
      var table = TextTable(columns: ["d", "bits", "bits/coord"])
      var rows: [JSONValue] = []
      for d in lengths {
        let bits = compressor.bits(length: d) ?? 0
        table.append([String(d), String(bits), formatNumber(Double(bits) / Double(d))])
        rows.append(.object([("d", .int(d)), ("bits", .int(bits))]))
      }
      if args.flag("total") { table.append(["total", String(lengths.map { compressor.bits(length: $0) ?? 0 }.reduce(0, +)), ""]) }
      return CommandOutput(text: table.render(maxWidth: session.terminalWidth), json: .object([("compressor", .string(spec)), ("rows", .array(rows))]))
    },
  ]
}

/// Commands registered from outside hsq get what the built-ins get, and cannot take a built-in's name.
///
/// Each test registers into a table of its own (the built-ins plus its commands), so the rest of
/// the test process — the help snapshot among it — never sees them.
@Suite("Commands registered from outside")
struct CommandRegistrationTests {
  /// A session whose commands are the built-ins plus `sets`.
  static func session(with sets: [any CommandSet.Type]) throws -> Session {
    let table = CommandTable.builtins()
    for set in sets { try table.register(set) }
    return Session(commandTable: table)
  }

  @Test("a registered command shows in help, ??, apropos, list commands and completion, and runs with JSON output")
  func registeredCommandsGetHelpCompletionAndJSON() throws {
    let s = try Self.session(with: [BitsTableCommands.self])

    let help = s.execute("help")
    #expect(help.text.hasSuffix("Outside:\n  bits-table  Tabulates a compressor's bits per coordinate over vector lengths.\n\nComponents: list compressors | codebooks | models | datasets | partitions | aggregators | server-optimizers. Settings: list settings."), "\(help.text)")
    #expect(help.json.rendered.hasSuffix(#""memory","bits-table"]"#))
    #expect(s.execute("help bits-table").text.contains("Usage: bits-table <compressor> [--d LIST] [--total]"))
    #expect(s.execute("??bt").text.contains("the quintessential sweep"))
    #expect(s.execute("apropos quintessential").json == .array([.string("command bits-table")]))
    #expect(s.execute("list commands").text.contains("bits-table"))

    #expect(s.complete("bits-", cursor: 5).candidates == ["bits-table"])
    #expect(s.complete("bits-table qsg", cursor: 14).candidates == ["qsgd"])
    #expect(s.complete("bits-table qsgd --t", cursor: 19).candidates == ["--total"])

    _ = s.execute("let q = compressor scaled-sign")
    let out = s.execute("bt q --d 8,64 --total")
    #expect(!out.isError, "\(out.error ?? "")")
    #expect(out.json.rendered == #"{"compressor":"scaled-sign","rows":[{"d":8,"bits":40},{"d":64,"bits":96}]}"#)
    #expect(out.text.contains("total   136"), "\(out.text)")
    #expect(s.execute("bits-table q --dd 8").error == "'bits-table' has no option '--dd'. Did you mean '--d'? Try 'help bits-table'.")
    #expect(s.execute("bits-table").error?.contains("'bits-table' needs <compressor>") == true)
    // A command's name is not a variable name, as for the built-ins.
    #expect(s.execute("let bits-table = compressor qsgd").error == "'bits-table' is a command; choose another name.")
    // The process-wide table never saw it.
    #expect(Session().command("bits-table") == nil && Session.command("bits-table") == nil)
  }

  @Test("a name or alias a built-in holds is refused with one clear error, and nothing of the set is registered",
        arguments: [(TakesHelp.self as any CommandSet.Type, "help"), (TakesAnAlias.self, "ls"), (AliasesABuiltin.self, "exp"), (TwiceInOneSet.self, "fine-one")])
  func clashesAreRefused(set: any CommandSet.Type, taken: String) throws {
    let table = CommandTable.builtins()
    let before = table.names
    let error = #expect(throws: HSQError.self) { try table.register(set) }
    #expect(error?.description == "A command named '\(taken)' is already registered; choose another name.")
    #expect(table.names == before)
  }

  @Test("a command name that cannot be typed is refused, naming the fix")
  func untypableNamesAreRefused() throws {
    let table = CommandTable.builtins()
    let error = #expect(throws: HSQError.self) { try table.register(Untypable.self) }
    #expect(error?.description == "The command name 'two words' cannot be typed; use letters, digits, '-' and '_', starting with a letter.")
  }

  @Test("an add-on file replaces its own commands when reloaded; another file cannot take them")
  func addOnFilesOwnTheirCommands() throws {
    let table = CommandTable.builtins()
    let first = try AddOnRegistration.load(owner: "/p/A.swift") { AddOnRegistration.run { try table.register(BitsTableCommands.self) } }
    #expect(first.map(\.name) == ["bits-table"] && first.map(\.kind) == [.command])
    #expect(table.owner(of: "bits-table") == "/p/A.swift" && table.owner(of: "help") == nil)
    _ = try AddOnRegistration.load(owner: "/p/A.swift") { AddOnRegistration.run { try table.register(BitsTableCommands.self) } }
    #expect(table.names.filter { $0 == "bits-table" }.count == 1)
    #expect(throws: AddOnRegistration.RegistrationFailure.self) {
      try AddOnRegistration.load(owner: "/p/B.swift") { AddOnRegistration.run { try table.register(BitsTableCommands.self) } }
    }
    // Outside a load (a package's main.swift) the name is taken too.
    #expect(throws: HSQError.duplicateName(kind: "command", name: "bits-table")) { try table.register(BitsTableCommands.self) }
    table.unregister("bits-table")
    #expect(table.named("bt") == nil)
  }

  @Test("the built-in commands are discovered from their files, in the help order they declare")
  func builtinsAreDiscovered() {
    #expect(builtinCommandSets.count == 9)
    #expect(builtinCommandSets.map { $0.helpOrder }.sorted() == [0, 10, 20, 21, 22, 30, 40, 50, 60])
    #expect(Session.commands.count == builtinCommandSets.map { $0.commands.count }.reduce(0, +))
    #expect(Session.commands.first?.name == "help" && Session.commands.last?.name == "memory")
  }
}

/// A command that does nothing, named `name`.
private func idle(_ name: String, aliases: [String] = []) -> CommandSpec {
  CommandSpec(name, aliases: aliases, group: "Outside", abstract: "Does nothing.") { _, _ in CommandOutput() }
}

private enum TakesHelp: CommandSet { static let commands = [idle("fine-one"), idle("help")] }
private enum TakesAnAlias: CommandSet { static let commands = [idle("fine-one"), idle("my-list", aliases: ["ls"])] }
private enum AliasesABuiltin: CommandSet { static let commands = [idle("fine-one"), idle("my-experiment", aliases: ["exp"])] }
private enum TwiceInOneSet: CommandSet { static let commands = [idle("fine-one"), idle("fine-one")] }
private enum Untypable: CommandSet { static let commands = [idle("two words")] }
