import Foundation

/// A kind of built-in component: the protocol its types conform to and the list the registry reads.
struct RegistrableKind: Sendable, Equatable {
  /// The protocol a built-in conforms to, e.g. `CompressorComponent`.
  var protocolName: String
  /// The generated constant, e.g. `builtinCompressorTypes`.
  var listName: String
  /// Whether help reads the types' doc comments (components); command sets carry their help in their specs.
  var isDocumented = true

  /// Every kind hsq registers. A module gets a list for each protocol it declares.
  static let all = [
    RegistrableKind(protocolName: "CompressorComponent", listName: "builtinCompressorTypes"),
    RegistrableKind(protocolName: "CodebookConstruction", listName: "builtinCodebookTypes"),
    RegistrableKind(protocolName: "ModelComponent", listName: "builtinModelTypes"),
    RegistrableKind(protocolName: "DatasetSource", listName: "builtinDatasetTypes"),
    RegistrableKind(protocolName: "PartitionerComponent", listName: "builtinPartitionTypes"),
    RegistrableKind(protocolName: "AggregatorComponent", listName: "builtinAggregatorTypes"),
    RegistrableKind(protocolName: "ServerOptimizerComponent", listName: "builtinServerOptimizerTypes"),
    RegistrableKind(protocolName: "CommandSet", listName: "builtinCommandSets", isDocumented: false),
  ]
}

/// What one source file declares, as far as the registry cares.
struct FileDeclarations: Sendable, Equatable {
  /// Protocols the file declares (`protocol Name`).
  var protocols: Set<String> = []
  /// Types the file declares or extends, with the names they inherit from, in source order.
  var conformances: [(type: String, inherited: [String])] = []

  static func == (a: Self, b: Self) -> Bool {
    a.protocols == b.protocols && a.conformances.map(\.type) == b.conformances.map(\.type)
      && a.conformances.map(\.inherited) == b.conformances.map(\.inherited)
  }

  /// The types that conform to `protocolName` directly.
  func types(conformingTo protocolName: String) -> [String] {
    conformances.filter { $0.inherited.contains(protocolName) }.map(\.type)
  }
}

/// Reads declarations out of Swift source text without a parser: comments and string
/// contents are removed first, then `struct|class|enum|actor|extension Name: A, B {` and
/// `protocol Name` are matched.
enum DeclarationScanner {
  static func scan(_ source: String) -> FileDeclarations {
    let text = strippingCommentsAndStrings(source)
    let range = NSRange(text.startIndex..., in: text)
    var result = FileDeclarations()
    for match in protocolPattern.matches(in: text, range: range) {
      if let name = Range(match.range(at: 1), in: text) { result.protocols.insert(String(text[name])) }
    }
    for match in typePattern.matches(in: text, range: range) {
      guard let nameRange = Range(match.range(at: 1), in: text),
        let clauseRange = Range(match.range(at: 2), in: text)
      else { continue }
      // `where` clauses constrain generics; they add no conformance.
      let clause = text[clauseRange].components(separatedBy: " where ")[0]
      let inherited = clause
        .split(whereSeparator: { $0 == "," || $0.isWhitespace || $0 == "&" })
        .map { $0.split(separator: ".").last.map(String.init) ?? "" }
        .filter { !$0.isEmpty }
      let name = String(text[nameRange].split(separator: ".").last ?? "")
      result.conformances.append((name, inherited))
    }
    return result
  }

  private static let protocolPattern = try! NSRegularExpression(pattern: #"\bprotocol\s+([A-Za-z_][A-Za-z0-9_]*)"#)
  private static let typePattern = try! NSRegularExpression(
    pattern: #"\b(?:struct|class|enum|actor|extension)\s+([A-Za-z_][A-Za-z0-9_.]*)\s*(?:<[^>{]*>)?\s*:([^{]*)\{"#)

  /// `text` without comments (`//`, `/* */`) and without the contents of string literals (also `"""` ones).
  static func strippingCommentsAndStrings(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    var chars = Array(text.unicodeScalars)[...]
    var inString = false
    var inMultiline = false
    func next(_ k: Int) -> Unicode.Scalar? { chars.dropFirst(k).first }
    while let c = chars.first {
      let quoted = inString || inMultiline
      if !quoted, c == "/", next(1) == "/" {
        while let n = chars.first, n != "\n" { chars.removeFirst() }
        continue
      }
      if !quoted, c == "/", next(1) == "*" {
        chars.removeFirst(2)
        while !chars.isEmpty, !(chars.first == "*" && next(1) == "/") { chars.removeFirst() }
        chars = chars.dropFirst(2)
        continue
      }
      if quoted, c == "\\" {
        chars = chars.dropFirst(2)
        continue
      }
      if !inString, c == "\"", next(1) == "\"", next(2) == "\"" {
        inMultiline.toggle()
        out.append(contentsOf: chars.prefix(3))
        chars = chars.dropFirst(3)
        continue
      }
      if !inMultiline, c == "\"" { inString.toggle() }
      if !quoted || c == "\"" { out.append(c) }
      chars.removeFirst()
    }
    return String(out)
  }
}

/// The `///` comments right above type declarations, as help reads them.
enum DocComments {
  /// Type name → its doc comment with the `///` markers removed, for every documented
  /// `struct|class|enum|actor` in `source`. Attributes and blank `///` lines may sit in between.
  static func scan(_ source: String) -> [String: String] {
    var result: [String: String] = [:]
    var pending: [String] = []
    for raw in source.components(separatedBy: "\n") {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.hasPrefix("///") {
        let text = line.dropFirst(3)
        pending.append(String(text.hasPrefix(" ") ? text.dropFirst() : text))
        continue
      }
      if line.hasPrefix("@") { continue }
      if !pending.isEmpty, let match = declaration.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
        let name = Range(match.range(at: 1), in: line)
      {
        result[String(line[name])] = pending.joined(separator: "\n")
      }
      pending = []
    }
    return result
  }

  private static let declaration = try! NSRegularExpression(
    pattern: #"^(?:(?:public|internal|package|final|open)\s+)*(?:struct|class|enum|actor)\s+([A-Za-z_][A-Za-z0-9_]*)"#)
}

/// The generated Swift file: one list per kind whose protocol the module declares.
enum RegistryFile {
  /// `files` are (path, contents) pairs; the lists follow the paths' sorted order.
  static func render(_ files: [(path: String, source: String)]) -> String {
    let sorted = files.sorted { $0.path < $1.path }
    let scanned = sorted.map { (path: $0.path, declarations: DeclarationScanner.scan($0.source), comments: DocComments.scan($0.source)) }
    let declaredProtocols = scanned.reduce(into: Set<String>()) { $0.formUnion($1.declarations.protocols) }
    var out = """
      // Generated by the RegisterBuiltins build-tool plugin (Sources/hsq-registry-gen) from this
      // module's source files. Do not edit: a type conforming to a component protocol (or to
      // CommandSet) is a built-in.

      """
    for kind in RegistrableKind.all where declaredProtocols.contains(kind.protocolName) {
      out += "\nlet \(kind.listName): [any \(kind.protocolName).Type] = [\n"
      for file in scanned {
        for type in file.declarations.types(conformingTo: kind.protocolName) {
          out += "  \(type).self,  // \(URL(fileURLWithPath: file.path).lastPathComponent)\n"
        }
      }
      out += "]\n"
    }
    // The built-ins' doc comments are their help text (ComponentInfo.documented(by:)).
    let documentedKinds = RegistrableKind.all.filter { $0.isDocumented && declaredProtocols.contains($0.protocolName) }
    var documented: [(type: String, comment: String)] = []
    for file in scanned {
      for kind in documentedKinds {
        for type in file.declarations.types(conformingTo: kind.protocolName) {
          if let comment = file.comments[type] { documented.append((type, comment)) }
        }
      }
    }
    if !documentedKinds.isEmpty {
      out += "\n/// The built-ins' doc comments by type name: the help text of each.\nlet builtinDocComments: [String: String] = [\n"
      for (type, comment) in documented { out += "  \(literal(type)): \(literal(comment)),\n" }
      out += "]\n"
    }
    return out
  }
}

/// `text` as a Swift string literal.
func literal(_ text: String) -> String {
  var out = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\\": out += "\\\\"
    case "\"": out += "\\\""
    case "\n": out += "\\n"
    case "\t": out += "\\t"
    case "\r": out += "\\r"
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out + "\""
}
