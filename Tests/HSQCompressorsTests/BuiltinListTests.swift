import Foundation
import HSQCompressors
import Testing

// `builtinCompressorTypes` is written by hand (one line per compressor). This test
// keeps it honest: every type in Sources/HSQCompressors that conforms to
// `CompressorComponent` must be registered, and every registered built-in must be
// such a type.

/// The package root: this file is `<root>/Tests/HSQCompressorsTests/BuiltinListTests.swift`.
private let packageRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `text` without comments (`//`, `/* */`) and without the contents of string literals (also `"""` ones).
func strippingCommentsAndStrings(_ text: String) -> String {
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

/// Names of the types that `source` declares (or extends) as conforming to `CompressorComponent`.
func compressorComponentDeclarations(in source: String) -> Set<String> {
  let text = strippingCommentsAndStrings(source)
  let pattern = #"\b(?:struct|class|enum|actor|extension)\s+([A-Za-z_][A-Za-z0-9_.]*)\s*(?:<[^>{]*>)?\s*:([^{]*)\{"#
  guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
  let range = NSRange(text.startIndex..., in: text)
  var names = Set<String>()
  for match in regex.matches(in: text, range: range) {
    guard let nameRange = Range(match.range(at: 1), in: text),
      let clauseRange = Range(match.range(at: 2), in: text)
    else { continue }
    let inherited = text[clauseRange]
      .split(whereSeparator: { $0 == "," || $0.isWhitespace || $0 == "&" })
      .map { $0.split(separator: ".").last.map(String.init) ?? "" }
    if inherited.contains("CompressorComponent") {
      names.insert(String(text[nameRange].split(separator: ".").last ?? ""))
    }
  }
  return names
}

@Suite("Built-in compressor list")
struct BuiltinListTests {
  @Test("the declaration scanner finds conformances and ignores comments and strings")
  func scannerRecognizesDeclarations() {
    let source = """
      // struct Commented: CompressorComponent {}
      /* struct Blocked: CompressorComponent {} */
      public struct Plain: CompressorComponent {
      public final class Generic<T>: Base, CompressorComponent where T: Sendable {
      extension Later: HSQCompressors.CompressorComponent {}
      struct Other: Compressor {}
      public protocol CompressorComponent: Compressor, Component {
      let doc = \"""
        struct InString: CompressorComponent { // not a comment, not a declaration
        \"""
      struct After: CompressorComponent {
      """
    #expect(compressorComponentDeclarations(in: source) == ["Plain", "Generic", "Later", "After"])
  }

  @Test("builtinCompressorTypes lists exactly the CompressorComponent types in Sources/HSQCompressors")
  func listMatchesSources() throws {
    let sources = packageRoot.appendingPathComponent("Sources/HSQCompressors").resolvingSymlinksInPath()
    guard let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil) else {
      Issue.record("Cannot list \(sources.path); run the tests from the package checkout.")
      return
    }
    var declared = Set<String>()
    for case let file as URL in files where file.pathExtension == "swift" {
      declared.formUnion(compressorComponentDeclarations(in: try String(contentsOf: file, encoding: .utf8)))
    }
    #expect(!declared.isEmpty, "found no CompressorComponent types under \(sources.path)")

    var registered = Set<String>()
    for name in Compressors.registry.names {
      let compressor: any Compressor
      do {
        compressor = try Compressors.make(name)
      } catch {
        Issue.record("The built-in '\(name)' does not build with its defaults: \(error)")
        continue
      }
      let qualified = String(reflecting: type(of: compressor))
      // Compressors registered by other tests live in other modules.
      guard qualified.hasPrefix("HSQCompressors.") else { continue }
      registered.insert(String(qualified.split(separator: ".").last ?? ""))
    }

    let missing = declared.subtracting(registered).sorted()
    let extra = registered.subtracting(declared).sorted()
    #expect(missing.isEmpty,
            "Not in builtinCompressorTypes (Sources/HSQCompressors/BuiltinCompressors.swift): \(missing.joined(separator: ", ")); add a '<Type>.self,' line.")
    #expect(extra.isEmpty,
            "Registered but not declared as CompressorComponent under Sources/HSQCompressors: \(extra.joined(separator: ", ")).")
  }
}
