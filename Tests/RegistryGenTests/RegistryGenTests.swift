import Foundation
@testable import HSQCodebooks
@testable import HSQCompressors
import HSQCore
@testable import HSQDatasets
@testable import HSQModels
@testable import hsq_registry_gen
import Testing

// The RegisterBuiltins plugin writes each module's built-in lists from its sources. These tests
// pin down the scanner it runs, and check that every generated entry reaches its registry.

@Suite("Built-in registry generation")
struct RegistryGenTests {
  @Test("the scanner finds conformances and protocols, and ignores comments and strings")
  func scannerRecognizesDeclarations() {
    let source = """
      // struct Commented: CompressorComponent {}
      /* struct Blocked: CompressorComponent {} */
      public struct Plain: CompressorComponent {
      public final class Generic<T>: Base, CompressorComponent where T: Sendable {
      extension Later: HSQCompressors.CompressorComponent {}
      struct Other: Compressor {}
      struct Constrained<T>: Other where T: CompressorComponent {}
      public protocol CompressorComponent: Compressor, Component {
      let doc = \"""
        struct InString: CompressorComponent { // not a comment, not a declaration
        \"""
      let s = "struct Quoted: CompressorComponent {"
      struct After: CompressorComponent {
      """
    let found = DeclarationScanner.scan(source)
    #expect(found.types(conformingTo: "CompressorComponent") == ["Plain", "Generic", "Later", "After"])
    #expect(found.protocols == ["CompressorComponent"])
  }

  @Test("the generated file lists a kind only in the module that declares its protocol, in path order")
  func rendering() {
    let files = [
      (path: "/m/B/Second.swift", source: "struct Second: ModelComponent {}"),
      (path: "/m/A/First.swift", source: "struct First: ModelComponent {}\nstruct Noise: Model {}"),
      (path: "/m/Models.swift", source: "public protocol ModelComponent: Model {}"),
    ]
    let text = RegistryFile.render(files)
    #expect(text.contains("let builtinModelTypes: [any ModelComponent.Type] = [\n  First.self,  // First.swift\n  Second.self,  // Second.swift\n]"))
    #expect(!text.contains("builtinCompressorTypes"))
    #expect(!text.contains("Noise"))
  }

  @Test("command sets are listed like components, without doc comments (their help is in their specs)")
  func commandSets() {
    let files = [
      (path: "/m/Commands/Help.swift", source: "/// Help.\nenum HelpCommands: CommandSet {\n  static let commands: [CommandSpec] = []\n}"),
      (path: "/m/CommandRegistry.swift", source: "public protocol CommandSet: Sendable {}"),
    ]
    let text = RegistryFile.render(files)
    #expect(text.contains("let builtinCommandSets: [any CommandSet.Type] = [\n  HelpCommands.self,  // Help.swift\n]"))
    #expect(!text.contains("builtinDocComments"))
  }

  @Test("every generated built-in is registered under its own name", arguments: [
    ("compressor", builtinCompressorTypes.map { $0.info.name }, Compressors.registry.names),
    ("codebook", builtinCodebookTypes.map { $0.info.name }, Codebooks.registry.names),
    ("model", builtinModelTypes.map { $0.info.name }, Models.registry.names),
    ("dataset", builtinDatasetTypes.map { $0.info.name }, Datasets.registry.names),
    ("partition", builtinPartitionTypes.map { $0.info.name }, Partitions.registry.names),
  ])
  func generatedListsReachTheRegistries(kind: String, generated: [String], registered: [String]) {
    #expect(!generated.isEmpty, "no built-in \(kind)s were generated")
    let missing = Set(generated).subtracting(registered)
    #expect(missing.isEmpty, "built-in \(kind)s not registered: \(missing.sorted())")
    #expect(Set(generated).count == generated.count, "two built-in \(kind)s share a name")
  }

  @Test("the generated compressor list holds every CompressorComponent in Sources/HSQCompressors")
  func compressorListMatchesSources() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Sources/HSQCompressors")
    let files = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
    var declared = Set<String>()
    for case let file as URL in files where file.pathExtension == "swift" {
      let source = try String(contentsOf: file, encoding: .utf8)
      declared.formUnion(DeclarationScanner.scan(source).types(conformingTo: "CompressorComponent"))
    }
    let generated = Set(builtinCompressorTypes.map { String(describing: $0) })
    #expect(declared == generated)
    #expect(generated.contains("HSQCompressor") && generated.contains("TernGradCompressor"))
  }
}
