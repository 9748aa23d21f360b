import Foundation
import HSQ

/// The Swift files a plugin path stands for.
enum PluginSources {
  /// Whether `load` should compile `path` (a `.swift` file or a directory) rather than read a saved experiment.
  static func isPlugin(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return path.hasSuffix(".swift") || (FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)
  }

  /// A `.swift` file; a directory's `*.swift` files; or, for a package (a directory with
  /// `Package.swift`), every `.swift` file under its `Sources/`. Sorted, absolute.
  static func find(_ path: String) throws -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw HSQError.invalidArgument("There is no file or directory '\(path)'; give a .swift file, a directory of them, or a package.")
    }
    guard isDirectory.boolValue else {
      guard path.hasSuffix(".swift") else {
        throw HSQError.invalidArgument("'\(path)' is not a .swift file; 'load' compiles Swift compressors (or loads a saved experiment, .json).")
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
    return cleaned.isEmpty ? "Plugin" : cleaned
  }
}
