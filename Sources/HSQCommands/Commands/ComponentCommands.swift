import HSQ

/// `describe`, `codebook`, `let`: components on their own.
enum ComponentCommands: CommandSet {
  static let helpOrder = 10
  static let commands: [CommandSpec] = [
    CommandSpec(
      "describe", group: "Components", abstract: "Builds a component and shows its properties and theory (bits, ω or δ).",
      discussion: "For a compressor: its properties, the worst-case guarantee and the exact bits for a vector of length --d, and the compression ratio against float32. For a codebook: its quality figures (see 'codebook').",
      arguments: [ArgumentSpec("spec", "a component such as hsq:dim=16,k=256, or a variable", completion: .anyComponent)],
      options: [OptionSpec("d", "vector length for the bits and the guarantee (default 100000)", value: "N")], recorded: false
    ) { session, args in try session.describe(args.positional[0], length: args.int("d", default: 100_000, in: 1...1 << 30)) },
    CommandSpec(
      "codebook", group: "Components", abstract: "Shows a codebook's quality figures: σ_min, ω₂ bounds, δ bracket, mean cos²θ.",
      discussion: "THEORY.md §2–3: ω₂ ≤ min(K/σ_min² − 1, Σ|(C⁺C⁺ᵀ)ᵢⱼ| − 1), exact by sign enumeration for small K; δ(C) between a rigorous lower bound and a Monte Carlo + descent upper bound; mean cos²θ over random directions. Several codebooks give one comparison table, a row each. --export writes the codebook as .fvecs or .npy.",
      arguments: [ArgumentSpec("spec", "a codebook such as kmeans:dim=16,k=256, or a variable; several for a comparison table", completion: .component(.codebook), variadic: true)],
      options: [OptionSpec("samples", "Monte Carlo directions (default 20000)", value: "N"),
                OptionSpec("export", "write the codebook to a .fvecs or .npy file", value: "FILE", completion: .path)]
    ) { session, args in try session.codebookReport(args) },
    CommandSpec(
      "let", group: "Components", abstract: "Binds a name to a compressor or codebook: let q = compressor hsq:dim=16,k=256.",
      discussion: "The kind may be left out when the name is unambiguous: 'let q = hsq:k=64'. Variables can be used wherever a compressor is expected, e.g. 'set compressor q'. A name that holds an experiment which has taken steps is replaced only with --replace.",
      arguments: [ArgumentSpec("name", "the variable"), ArgumentSpec("=", "an equals sign"),
                  ArgumentSpec("definition", "[compressor|codebook] spec", completion: .anyComponent, variadic: true)],
      options: [Session.replaceOption]
    ) { session, args in try session.letBinding(args.positional, replacing: args.flag("replace")) },
  ]
}

extension Session {
  func describe(_ text: String, length d: Int) throws -> CommandOutput {
    if let value = variables[text] {
      switch value {
      case let .compressor(c): return describe(c, length: d)
      case let .codebook(c): return try codebookReport(c, samples: 20_000)
      case .experiment: return try show("config", experimentName: text)
      }
    }
    let request = try ComponentRequest(parsing: text)
    if Compressors.registry.contains(request.name) { return describe(try Compressors.make(text), length: d) }
    if Codebooks.registry.contains(request.name) { return try codebookReport(try Codebooks.make(text), samples: 20_000) }
    return try help(request.name, full: true)
  }

  func describe(_ c: any Compressor, length d: Int) -> CommandOutput {
    let g = c.guarantee(length: d)
    let bits = c.bits(length: d)
    var table = TextTable(columns: ["property", "value"])
    table.append(["spec", c.spec])
    table.append(["unbiased", c.properties.isUnbiased ? "yes" : "no"])
    table.append(["deterministic", c.properties.isDeterministic ? "yes" : "no"])
    table.append(["guarantee (d = \(d))", g.description])
    table.append(["bits formula", c.bitsFormula])
    table.append(["bits (d = \(d))", bits.map(String.init) ?? "varies"])
    if let bits { table.append(["bits per coordinate", formatNumber(Double(bits) / Double(d))]) }
    if let bits { table.append(["ratio vs float32", formatNumber(Double(32 * d) / Double(bits)) + "×"]) }
    return CommandOutput(text: table.render(maxWidth: terminalWidth), json: .object([
      ("spec", .string(c.spec)), ("unbiased", .bool(c.properties.isUnbiased)), ("guarantee", .string(g.kindName)),
      ("worst_case", .number(g.relativeErrorBound)), ("bits", bits.map { .int($0) } ?? .null), ("bits_formula", .string(c.bitsFormula)),
    ]))
  }

  func codebookReport(_ args: ParsedArguments) throws -> CommandOutput {
    let samples = try args.int("samples", default: 20_000, in: 100...10_000_000)
    if args.positional.count > 1 {
      guard args.option("export") == nil else { throw HSQError.invalidArgument("'--export' writes one codebook; give a single spec.") }
      return try codebookComparison(args.positional, samples: samples)
    }
    let codebook = try codebook(args.positional[0])
    var output = try codebookReport(codebook, samples: samples)
    if let path = args.option("export") {
      let resolved = try resolveOutputPath(path)
      try codebook.write(toFile: resolved)
      output.text += "\nWrote \(codebook.count) codewords to \(path)."
      output.files.append(resolved)
    }
    return output
  }

  func codebookReport(_ codebook: Codebook, samples: Int) throws -> CommandOutput {
    var options = CodebookQuality.Options()
    options.samples = samples
    let q = try CodebookQuality(codebook: codebook, seed: 0, options: options)
    var table = TextTable(columns: ["figure", "value"])
    for (k, v) in q.rows { table.append([k, v]) }
    if let training = codebook.training {
      table.append(["training", "\(training.iterations) iterations on \(training.samples) samples, objective \(formatNumber(training.objective))" + (showsTimings ? ", \(formatNumber(training.seconds)) s" : "")])
    }
    return CommandOutput(text: table.render(maxWidth: terminalWidth), json: .object(q.rows.map { ($0.0, .string($0.1)) }))
  }

  /// The codebook variable `text`, or the codebook it spells.
  func codebook(_ text: String) throws -> Codebook {
    if case let .codebook(c)? = variables[text] { return c }
    return try Codebooks.make(text)
  }

  /// One row per codebook: D, K, σ_min, ω₂ (pinv worst case), the δ bracket, ω₁ = 1/δ − 1 and mean cos²θ.
  func codebookComparison(_ specs: [String], samples: Int) throws -> CommandOutput {
    var options = CodebookQuality.Options()
    options.samples = samples
    var table = TextTable(columns: ["codebook", "D", "K", "σ_min", "ω₂ (pinv)", "δ ≥", "δ ≤", "ω₁ = 1/δ − 1", "mean cos²θ"])
    var json: [JSONValue] = []
    func f(_ x: Double?) -> String { x.map { formatNumber($0) } ?? "—" }
    for spec in specs {
      let q = try CodebookQuality(codebook: try codebook(spec), seed: 0, options: options)
      let omega2 = q.omega2Exact.map { f($0) } ?? q.omega2UpperBound.map { "\(f(q.omega2LowerBound))–\(f($0))" } ?? "∞ (rank < D)"
      table.append([spec, String(q.dim), String(q.count), f(q.smallestSingularValue), omega2, f(q.deltaLowerBound), f(q.deltaUpperBound),
                    "\(f(q.omega1Range.lowerBound))–\(f(q.omega1Range.upperBound))", "\(Self.fixed(q.meanCos2, 4)) ± \(Self.fixed(q.meanCos2StandardError, 4))"])
      json.append(.object([("codebook", .string(spec)), ("dim", .int(q.dim)), ("k", .int(q.count)), ("sigma_min", .number(q.smallestSingularValue)),
                           ("omega2_exact", .number(q.omega2Exact)), ("omega2_lower", .number(q.omega2LowerBound)), ("omega2_upper", .number(q.omega2UpperBound)),
                           ("delta_lower", .number(q.deltaLowerBound)), ("delta_upper", .number(q.deltaUpperBound)), ("mean_cos2", .number(q.meanCos2))]))
    }
    return CommandOutput(text: table.render(maxWidth: terminalWidth), json: .array(json))
  }

  func letBinding(_ words: [String], replacing: Bool) throws -> CommandOutput {
    guard words.count >= 3, words[1] == "=" else {
      throw HSQError.invalidArgument("Write 'let NAME = [compressor|codebook] SPEC', e.g. 'let q = compressor hsq:dim=16,k=256'.")
    }
    let name = words[0]
    try requireBindable(name, replacing: replacing)
    var rest = Array(words.dropFirst(2))
    var kind: String?
    if ["compressor", "codebook"].contains(rest[0]) { kind = rest.removeFirst() }
    guard !rest.isEmpty else {
      throw HSQError.invalidArgument("'let \(name) = \(kind!)' needs the \(kind!)'s spec, e.g. 'let \(name) = \(kind!) \(kind == "codebook" ? "gaussian:dim=16,k=256" : "hsq:dim=16,k=256")'.")
    }
    guard rest.count == 1 else {
      throw HSQError.invalidArgument("'let' takes one spec without spaces, e.g. 'let q = compressor hsq:dim=16,k=256'.")
    }
    let spec = rest[0]
    let request = try ComponentRequest(parsing: spec)
    if kind == nil {
      if Compressors.registry.contains(request.name) || variables[spec] != nil { kind = "compressor" }
      else if Codebooks.registry.contains(request.name) { kind = "codebook" }
      else {
        let names = Compressors.registry.names + Codebooks.registry.names
        throw HSQError.unknownName(kind: "compressor or codebook", name: request.name, suggestion: closestMatch(to: request.name, in: names))
      }
    }
    if kind == "compressor" {
      let compressor = try Compressors.make(resolveCompressor(spec))
      try bind(name, .compressor(compressor), replacing: replacing)
      return CommandOutput(text: "\(name) = \(compressor.spec)", json: .object([("name", .string(name)), ("compressor", .string(compressor.spec))]))
    }
    let codebook = try Codebooks.make(spec)
    try bind(name, .codebook(codebook), replacing: replacing)
    return CommandOutput(text: "\(name) = \(codebook.name) (K = \(codebook.count), D = \(codebook.dim))",
                         json: .object([("name", .string(name)), ("codebook", .string(codebook.name))]))
  }

  /// A file to read: `path` relative to the output directory when the session wrote it there, else to the working directory.
  func resolvePath(_ path: String) -> String {
    let expanded = (path as NSString).expandingTildeInPath
    if expanded.hasPrefix("/") { return expanded }
    if let outputDirectory, FileManager.default.fileExists(atPath: outputDirectory + "/" + expanded) { return outputDirectory + "/" + expanded }
    return workingDirectory + "/" + expanded
  }

  /// A file to write: `path` relative to the output directory (the working directory unless set).
  ///
  /// - Throws: when ``confinesWrites`` is set and `path` is absolute or leaves the output directory through `..`.
  func resolveOutputPath(_ path: String) throws -> String {
    let expanded = (path as NSString).expandingTildeInPath
    let folder = outputDirectory ?? workingDirectory
    guard confinesWrites else { return expanded.hasPrefix("/") ? expanded : folder + "/" + expanded }
    let root = URL(fileURLWithPath: folder).standardized.path
    let resolved = URL(fileURLWithPath: root + "/" + expanded).standardized.path
    guard !expanded.hasPrefix("/"), resolved.hasPrefix(root + "/") else {
      throw HSQError.invalidArgument("'\(path)' is outside the folder this run may write to; a notebook being checked writes only relative paths inside its scratch folder (no absolute paths, no '..').")
    }
    return resolved
  }
}

import Foundation
