import HSQ
import HSQShell

/// `error-sweep`: a command of this package's own, declared like hsq's built-ins, so `help`, `??`,
/// `apropos`, Tab completion and `--json` know it. `main.swift` registers it with one call.
enum ErrorSweepCommands: CommandSet {
  static let commands = [
    CommandSpec(
      "error-sweep", group: "Custom", abstract: "Tabulates a compressor's relative error ‖C(v) − v‖²/‖v‖² over a sweep of D.",
      discussion: "For each length D in --d, compresses --samples Gaussian vectors (seeded, so the table is the same every run) and reports the bits per coordinate, the mean relative error with its standard error, and the bound the compressor declares (ω for an unbiased one, 1 − δ for a δ-contraction).",
      arguments: [ArgumentSpec("compressor", "a compressor such as block-sign:block=16, or a variable", completion: .component(.compressor))],
      options: [
        OptionSpec("d", "comma-separated lengths (default 16,64,256,1024)", value: "LIST"),
        OptionSpec("samples", "vectors per length (default 100)", value: "N"),
        OptionSpec("seed", "seed of the vectors and the compressor's randomness (default 0)", value: "S"),
      ],
      recorded: false
    ) { session, args in
      try sweep(
        session.resolveCompressor(args.positional[0]), lengths: lengths(args.option("d") ?? "16,64,256,1024"),
        samples: args.int("samples", default: 100, in: 1...100_000), seed: args.int("seed", default: 0, in: 0...Int(Int32.max)),
        width: session.terminalWidth)
    },
  ]

  /// `16,64,256` → the lengths, each in 1…2^20.
  static func lengths(_ text: String) throws -> [Int] {
    try text.split(separator: ",", omittingEmptySubsequences: false).map { word in
      guard let d = Int(word), (1...1 << 20).contains(d) else {
        throw HSQError.invalidArgument("'--d \(text)': '\(word)' is not a length in 1...\(1 << 20); give comma-separated lengths, e.g. --d 16,64,256.")
      }
      return d
    }
  }

  static func sweep(_ spec: String, lengths: [Int], samples: Int, seed: Int, width: Int) throws -> CommandOutput {
    let compressor = try Compressors.make(spec)
    var table = TextTable(columns: ["D", "bits/coord", "relative error", "± s.e.", "bound"])
    var rows: [JSONValue] = []
    for d in lengths {
      var rng = RandomStream.derived(from: UInt64(seed), purpose: "error-sweep", d)
      var errors: [Double] = []
      for _ in 0..<samples {
        let v = (0..<d).map { _ in Float(rng.gaussian()) }
        let (output, _) = try compressor.roundTrip(v, rng: &rng)
        let energy = Vec.squaredNorm(v)
        errors.append(energy > 0 ? zip(output, v).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) } / energy : 0)
      }
      let mean = errors.reduce(0, +) / Double(samples)
      let variance = samples > 1 ? errors.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(samples - 1) : 0
      let standardError = (variance / Double(samples)).squareRoot()
      let bound = compressor.guarantee(length: d).relativeErrorBound
      let bits = compressor.bits(length: d).map { Double($0) / Double(d) }
      table.append([String(d), bits.map(formatNumber) ?? "varies", formatNumber(mean), formatNumber(standardError), bound.map(formatNumber) ?? "—"])
      rows.append(.object([
        ("d", .int(d)), ("bits_per_coordinate", .number(bits)), ("relative_error", .number(mean)),
        ("standard_error", .number(standardError)), ("bound", .number(bound)),
      ]))
    }
    return CommandOutput(
      text: "\(spec), \(samples) Gaussian vectors per D:\n" + table.render(maxWidth: width),
      json: .object([("compressor", .string(spec)), ("samples", .int(samples)), ("rows", .array(rows))]))
  }
}
