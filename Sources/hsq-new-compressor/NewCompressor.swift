import ArgumentParser
import Foundation

/// Writes a new compressor (or aggregator, or server optimizer) from hsq's template, and a test file that runs hsq's contract on it.
///
/// `swift package hsq-new-compressor MyQuant` runs this in the package directory; the
/// files compile against hsq's public API as they are, and `load` them in hsq-repl.
@main
struct NewCompressor: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hsq-new-compressor",
    abstract: "Writes a documented compressor (or aggregator, or server optimizer) template and a test file that holds it to hsq's contract.",
    discussion: """
      Writes DIR/NAME.swift (the component and its 'hsq_register' entry point, ready for 'load DIR/NAME.swift' in hsq-repl) \
      and TESTS/NAMEContractTests.swift (Swift Testing; depends on hsq's HSQContract product). \
      --kind aggregator writes an aggregator (how the server combines the workers' messages), --kind server-optimizer \
      a server optimizer (how the server moves the model with the aggregate), instead of a compressor.
      """)

  /// What the template is.
  enum Kind: String, ExpressibleByArgument, CaseIterable {
    case compressor, aggregator
    case serverOptimizer = "server-optimizer"

    /// The default folder, the component file's template and its contract test's template.
    var files: (directory: String, source: String, test: String) {
      switch self {
      case .compressor: ("Compressors", compressorTemplate, contractTestTemplate)
      case .aggregator: ("Aggregators", aggregatorTemplate, aggregatorContractTestTemplate)
      case .serverOptimizer: ("ServerOptimizers", serverOptimizerTemplate, serverOptimizerContractTestTemplate)
      }
    }
  }

  @Option(help: "What to write: compressor, aggregator or server-optimizer.")
  var kind: Kind = .compressor

  @Argument(help: "The type name, UpperCamelCase, e.g. MyQuant.")
  var type: String

  @Option(help: "The registry name (default: the type name in kebab case, e.g. my-quant).")
  var name: String?

  @Option(help: "Where to write the component (default: Compressors/NAME, Aggregators/NAME or ServerOptimizers/NAME).")
  var output: String?

  @Option(help: "Where to write the contract test (default: OUTPUT/Tests).")
  var tests: String?

  @Option(help: "The module holding the compressor, imported by the test (default: none, same module).")
  var module: String?

  @Flag(help: "Overwrite files that exist.")
  var force = false

  func validate() throws {
    guard let first = type.unicodeScalars.first, CharacterSet.uppercaseLetters.contains(first),
      type.unicodeScalars.allSatisfy({ $0.isASCII && CharacterSet.alphanumerics.contains($0) })
    else {
      throw ValidationError("'\(type)' is not an UpperCamelCase type name; write e.g. 'MyQuant'.")
    }
    if let name, !Self.isRegistryName(name) {
      throw ValidationError("'\(name)' is not a registry name; use lower-case letters, digits and '-', e.g. 'my-quant'.")
    }
  }

  func run() throws {
    let registryName = name ?? Self.kebabCase(type)
    let (folder, source, test) = kind.files
    let directory = output ?? folder + "/\(type)"
    let testDirectory = tests ?? directory + "/Tests"
    let files = [
      (directory + "/\(type).swift", fill(source, registryName)),
      (testDirectory + "/\(type)ContractTests.swift", fill(test, registryName)),
    ]
    for (path, _) in files where !force && FileManager.default.fileExists(atPath: path) {
      throw ValidationError("'\(path)' exists; pass --force to overwrite it, or choose another name.")
    }
    for (path, text) in files {
      let folder = (path as NSString).deletingLastPathComponent
      var isFolder: ObjCBool = false
      if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), !isFolder.boolValue {
        throw ValidationError("'\(folder)' is not a folder; give --output and --tests folders (they are made when missing).")
      }
      do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
      } catch {
        let reason = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError).map { String(cString: strerror(Int32($0.code))) }
        throw ValidationError("Cannot write '\(path)' (\(reason ?? error.localizedDescription)); give --output and --tests folders you can write.")
      }
      print("Wrote \(path)")
    }
    print("Next: in hsq-repl, 'load \(files[0].0)', then 'check \(registryName)'.")
  }

  func fill(_ template: String, _ registryName: String) -> String {
    template.replacingOccurrences(of: "__Type__", with: type)
      .replacingOccurrences(of: "__name__", with: registryName)
      .replacingOccurrences(of: "__imports__\n", with: module.map { "import \($0)\n" } ?? "")
  }

  /// `MyQuant` → `my-quant`, `HSQPlus` → `hsq-plus`.
  static func kebabCase(_ type: String) -> String {
    let chars = Array(type)
    var out = ""
    for (i, c) in chars.enumerated() {
      let startsWord = c.isUppercase && i > 0 && (chars[i - 1].isLowercase || (i + 1 < chars.count && chars[i + 1].isLowercase))
      if startsWord { out += "-" }
      out += c.lowercased()
    }
    return out
  }

  static func isRegistryName(_ name: String) -> Bool {
    guard let first = name.first, first.isLetter, first.isLowercase else { return false }
    return name.allSatisfy { ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "-" }
  }
}
