import Foundation
import HSQ

/// The Swift files an add-on path stands for.
enum AddOnSources {
  /// Whether `load` should compile `path` rather than read a saved experiment, by explicit rules.
  ///
  /// A path ending in `.json` is never an add-on; a `.swift` path always is; a directory is one when it
  /// holds `Package.swift` or `.swift` files. Anything else is read as a saved experiment.
  ///
  /// - Throws: for a `.json` directory, or a directory with no Swift code, naming what `load` accepts.
  static func isAddOn(_ path: String, shown: String) throws -> Bool {
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
    if path.hasSuffix(".json") {
      guard exists, isDirectory.boolValue else { return false }
      throw HSQError.invalidArgument("'\(shown)' is a directory, not a file written by 'save'; 'load' reads a saved experiment (a .safetensors or .json file) or compiles an add-on (a .swift file, or a directory with Package.swift or .swift files).")
    }
    if path.hasSuffix(".swift") { return true }
    guard exists, isDirectory.boolValue else { return false }
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    guard entries.contains(where: { $0 == "Package.swift" || $0.hasSuffix(".swift") }) else {
      throw HSQError.invalidArgument("'\(shown)' is a directory with neither Package.swift nor .swift files; 'load' reads a saved experiment (a .safetensors or .json file) or compiles an add-on (a .swift file, or a directory with Package.swift or .swift files).")
    }
    return true
  }

  /// A `.swift` file; a directory's `*.swift` files; or, for a package (a directory with
  /// `Package.swift`), every `.swift` file under its `Sources/`. Sorted, absolute.
  static func find(_ path: String) throws -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw HSQError.missing(thing: "file or directory '\(path)'", plural: false, fix: "give a .swift file, a directory of them, or a package")
    }
    guard isDirectory.boolValue else {
      guard path.hasSuffix(".swift") else {
        throw HSQError.invalidArgument("'\(path)' is not a .swift file; 'load' compiles Swift compressors (or loads a saved experiment, .safetensors or .json).")
      }
      return [path]
    }
    let root = URL(fileURLWithPath: path)
    let isPackage = FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path)
    let files: [String]
    if isPackage {
      let sources = root.appendingPathComponent("Sources")
      let walker = FileManager.default.enumerator(atPath: sources.path)
      files = (walker?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".swift") }.map { sources.appendingPathComponent($0).path }
    } else {
      files = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
        .filter { $0.hasSuffix(".swift") }.map { root.appendingPathComponent($0).path }
    }
    guard !files.isEmpty else {
      throw HSQError.invalidArgument("'\(path)' has no .swift files\(isPackage ? " under Sources/" : ""); give a compressor's .swift file or its directory.")
    }
    return files.sorted()
  }

  /// A module-name fragment from the path's last component: letters, digits and `_`.
  static func moduleName(for path: String) -> String {
    let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    let cleaned = String(base.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? Character($0) : "_" })
    return cleaned.isEmpty ? "AddOn" : cleaned
  }
}
