import Foundation
import HSQ

/// What Tab offers: the candidates for the word that starts at `start`.
public struct CompletionResult: Sendable, Equatable {
  /// Character offset in the line where the word being completed begins.
  public var start: Int
  /// Full replacements for that word, sorted.
  public var candidates: [String]
}

extension Session {
  /// Completions for the word at `cursor` in `line`, knowing the command's declaration:
  /// command names, component names after a kind, parameter names after `name:`, settings,
  /// variables, layers, metrics and file paths.
  public func complete(_ line: String, cursor: Int) -> CompletionResult {
    let prefixText = String(line.prefix(cursor))
    let words = (try? Tokenizer.spans(prefixText, allowUnclosed: true)) ?? []
    let endsInSpace = prefixText.last.map(\.isWhitespace) ?? true
    let current = endsInSpace ? "" : words.last?.text ?? ""
    let start = endsInSpace ? cursor : words.last?.start ?? cursor
    let before = endsInSpace ? words.map(\.text) : words.dropLast().map(\.text)
    func result(_ candidates: [String]) -> CompletionResult {
      CompletionResult(start: start, candidates: Array(Set(candidates.filter { $0.hasPrefix(current) })).sorted())
    }
    guard let commandName = before.first else {
      return result(Self.commands.flatMap { [$0.name] + $0.aliases })
    }
    guard let command = Self.command(commandName) else { return result([]) }
    if current.hasPrefix("--") { return result(command.options.map { "--" + $0.name }) }
    if let last = before.last, last.hasPrefix("--"), let option = command.options.first(where: { "--" + $0.name == last }), !option.isFlag {
      return result(candidates(option.completion, word: current, context: before))
    }
    var positional = 0
    var i = 1
    while i < before.count {
      if before[i].hasPrefix("--") {
        if let option = command.options.first(where: { "--" + $0.name == before[i] }), !option.isFlag { i += 1 }
      } else {
        positional += 1
      }
      i += 1
    }
    guard !command.arguments.isEmpty else { return result([]) }
    let argument = command.arguments[min(positional, command.arguments.count - 1)]
    guard positional < command.arguments.count || argument.isVariadic else { return result([]) }
    if command.name == "set", positional == 1, let field = ExperimentConfig.fields.first(where: { $0.name == before.last }) {
      return result(values(for: field, word: current))
    }
    if command.name == "let", positional == 2 { return result(["compressor", "codebook"] + candidates(.anyComponent, word: current, context: before)) }
    if command.name == "let", positional == 3, let kind = before.last, kind == "compressor" || kind == "codebook" {
      return result(candidates(.component(kind == "compressor" ? .compressor : .codebook), word: current, context: before))
    }
    return result(candidates(argument.completion, word: current, context: before))
  }

  func candidates(_ kind: CompletionKind, word: String, context: [String]) -> [String] {
    switch kind {
    case .none: return []
    case .command: return Self.commands.map(\.name)
    case .listTopic: return Catalog.kinds.map(\.plural) + ["commands", "settings", "variables"]
    case let .component(k): return componentCandidates(word, infos: Catalog.infos(of: k))
    case .anyComponent: return componentCandidates(word, infos: Catalog.allInfos) + order
    case .helpTopic: return Self.commands.map(\.name) + Catalog.allInfos.map(\.name) + ExperimentConfig.fields.map(\.name) + Catalog.kinds.map(\.plural)
    case .variable: return order
    case .experiment: return experimentNames
    case .metric: return PlotMetric.names
    case .layer: return ((try? experiment())?.model.layers.map(\.name)) ?? []
    case .path: return pathCandidates(word)
    case .setting:
      if let eq = word.firstIndex(of: "="), let field = ExperimentConfig.fields.first(where: { $0.name == String(word[..<eq]) }) {
        let key = String(word[...eq])
        return values(for: field, word: String(word[word.index(after: eq)...])).map { key + $0 }
      }
      return ExperimentConfig.fields.map { context.first == "experiment" || context.first == "exp" ? $0.name + "=" : $0.name }
    }
  }

  /// Component names, or after `name:` the parameter names as `name:…,key=`.
  func componentCandidates(_ word: String, infos: [ComponentInfo]) -> [String] {
    guard let colon = word.firstIndex(of: ":") else { return infos.map(\.name) }
    let name = String(word[..<colon])
    guard let info = infos.first(where: { $0.name == name }) else { return [] }
    let lastSeparator = word.lastIndex(where: { $0 == ":" || $0 == "," })!
    let head = String(word[...lastSeparator])
    let given = Set(word[word.index(after: colon)...].split(separator: ",").compactMap { $0.split(separator: "=").first.map(String.init) })
    let tail = String(word[word.index(after: lastSeparator)...])
    if let eq = tail.firstIndex(of: "="), let p = info.parameters.first(where: { $0.name == String(tail[..<eq]) }), case let .choice(choices) = p.kind {
      return choices.map { head + p.name + "=" + $0 }
    }
    return info.parameters.filter { !given.contains($0.name) || tail.hasPrefix($0.name) }.map { head + $0.name + "=" }
  }

  func values(for field: ConfigField, word: String) -> [String] {
    if let kind = field.component { return componentCandidates(word, infos: Catalog.infos(of: kind)) + (kind == .compressor ? order : []) }
    switch field.kind {
    case .bool: return ["true", "false"]
    case let .choice(c): return c
    default: return []
    }
  }

  func pathCandidates(_ word: String) -> [String] {
    let expanded = (word as NSString).expandingTildeInPath
    let isDirectory = word.hasSuffix("/")
    let folderPart = isDirectory ? expanded : (expanded as NSString).deletingLastPathComponent
    let folder = folderPart.isEmpty ? workingDirectory : (folderPart.hasPrefix("/") ? folderPart : workingDirectory + "/" + folderPart)
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
    let shownFolder = isDirectory ? word : (word as NSString).deletingLastPathComponent
    let prefix = shownFolder.isEmpty ? "" : (shownFolder.hasSuffix("/") ? shownFolder : shownFolder + "/")
    return entries.filter { !$0.hasPrefix(".") || (word as NSString).lastPathComponent.hasPrefix(".") }.map { entry in
      var isDir: ObjCBool = false
      _ = FileManager.default.fileExists(atPath: folder + "/" + entry, isDirectory: &isDir)
      return prefix + entry + (isDir.boolValue ? "/" : "")
    }
  }
}
