import HSQ
import HSQCommands

/// `bits-table`: a command in a file that `load` compiles into a running hsq-repl (an add-on),
/// declared with the same `CommandSpec` as the built-ins, so help, `??`, apropos, completion and
/// `--json` know it at once; `reload` picks up edits.
///
///     hsq> load notebooks/CustomCompressor/AddOns/BitsTable.swift
///     hsq> bits-table hsq qsgd:levels=4 scaled-sign --d 1024
enum BitsTableCommands: CommandSet {
  static let commands = [
    CommandSpec(
      "bits-table", group: "Custom", abstract: "Compares compressors' payload sizes at one length: bits, bits per coordinate, ratio vs float32.",
      arguments: [ArgumentSpec("compressors", "compressors such as hsq or qsgd:levels=4, or variables", completion: .component(.compressor), variadic: true)],
      options: [OptionSpec("d", "the vector length (default 1024)", value: "D")],
      recorded: false
    ) { session, args in
      let d = try args.int("d", default: 1024, in: 1...1 << 24)
      var table = TextTable(columns: ["compressor", "bits", "bits/coord", "vs float32"])
      var rows: [JSONValue] = []
      for word in args.positional {
        let spec = session.resolveCompressor(word)
        guard let bits = try Compressors.make(spec).bits(length: d) else {
          table.append([spec, "varies", "", ""])
          rows.append(.object([("compressor", .string(spec)), ("bits", .null)]))
          continue
        }
        table.append([spec, String(bits), formatNumber(Double(bits) / Double(d)), formatNumber(Double(32 * d) / Double(bits)) + "×"])
        rows.append(.object([("compressor", .string(spec)), ("bits", .int(bits))]))
      }
      return CommandOutput(text: "d = \(d):\n" + table.render(maxWidth: session.terminalWidth), json: .object([("d", .int(d)), ("rows", .array(rows))]))
    },
  ]
}

@_cdecl("hsq_register")
public func hsqRegister() {
  AddOnRegistration.run { try Commands.register(BitsTableCommands.self) }
}
