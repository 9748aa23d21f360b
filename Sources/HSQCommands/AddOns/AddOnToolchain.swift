import Foundation
import HSQ

/// How `load` compiles an add-on: the same `swiftc` and the same hsq modules as the running executable.
///
/// The add-on is built with `swiftc -emit-library` against the `.swiftmodule` files in the
/// build directory the executable sits in (`.build/debug` or `.build/release`), and is *not*
/// linked against hsq: its references to hsq resolve at `dlopen` to the executable's own
/// symbols (hsq-repl is linked with `--export-dynamic`), so there is one registry, not two.
struct AddOnToolchain {
  /// The compiler: `$HSQ_SWIFTC`, else `swiftc` on `PATH`.
  let swiftc: String
  /// The directory of the running executable, holding `Modules/`.
  let buildDirectory: URL
  /// `-fmodule-map-file` for every C module hsq's modules import (CKernels, COpenBLAS, CZlib, …).
  let moduleMaps: [String]

  /// The toolchain for this process.
  ///
  /// - Throws: when no compiler is found, or the executable is not next to hsq's modules.
  static func current() throws -> AddOnToolchain {
    let environment = ProcessInfo.processInfo.environment
    let build: URL
    if let override = environment["HSQ_BUILD_DIR"] {
      build = URL(fileURLWithPath: override)
    } else {
      guard let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() else {
        throw HSQError.invalidState("Cannot find this executable's path, so 'load' cannot find hsq's modules; set HSQ_BUILD_DIR to the build directory (e.g. .build/debug).")
      }
      build = executable.deletingLastPathComponent()
    }
    let probe = build.appendingPathComponent("Modules/HSQCompressors.swiftmodule").path
    guard FileManager.default.fileExists(atPath: probe) else {
      throw HSQError.invalidState("hsq's compiled modules are not at '\(build.path)/Modules'; run hsq-repl from its build directory ('swift build', then .build/debug/hsq-repl) or set HSQ_BUILD_DIR.")
    }
    return AddOnToolchain(swiftc: try findCompiler(environment), buildDirectory: build, moduleMaps: moduleMaps(for: build))
  }

  /// `$HSQ_SWIFTC`, else the first `swiftc` on `PATH`.
  static func findCompiler(_ environment: [String: String]) throws -> String {
    if let override = environment["HSQ_SWIFTC"] {
      guard FileManager.default.isExecutableFile(atPath: override) else {
        throw HSQError.invalidArgument("HSQ_SWIFTC is '\(override)', which is not an executable; point it at the swiftc that built hsq.")
      }
      return override
    }
    for dir in (environment["PATH"] ?? "").split(separator: ":") {
      let candidate = "\(dir)/swiftc"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw HSQError.invalidState("'load' needs swiftc (the compiler that built hsq) on PATH, or HSQ_SWIFTC set to it.")
  }

  /// The module maps of C targets: generated ones in `<build>/*.build/`, and the package's
  /// own `Sources/*/module.modulemap` (system libraries), found by walking up to `Package.swift`.
  static func moduleMaps(for build: URL) -> [String] {
    let files = FileManager.default
    var maps: [String] = []
    for entry in (try? files.contentsOfDirectory(atPath: build.path))?.sorted() ?? [] where entry.hasSuffix(".build") {
      let map = build.appendingPathComponent(entry).appendingPathComponent("module.modulemap").path
      if files.fileExists(atPath: map) { maps.append(map) }
    }
    var dir = build
    while dir.path != "/" {
      dir = dir.deletingLastPathComponent()
      guard files.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) else { continue }
      let sources = dir.appendingPathComponent("Sources")
      for target in (try? files.contentsOfDirectory(atPath: sources.path))?.sorted() ?? [] {
        let map = sources.appendingPathComponent(target).appendingPathComponent("module.modulemap").path
        if files.fileExists(atPath: map) { maps.append(map) }
      }
      break
    }
    return maps
  }

  /// Whether the executable is a release build (add-ons are then optimized too).
  var isRelease: Bool { buildDirectory.lastPathComponent == "release" }

  /// The `swiftc` arguments that compile `sources` as module `module` into the shared library `output`.
  func arguments(sources: [String], module: String, output: String) -> [String] {
    var args = ["-emit-library", "-parse-as-library", "-swift-version", "6", "-module-name", module,
                "-diagnostic-style", "llvm", "-I", buildDirectory.appendingPathComponent("Modules").path,
                isRelease ? "-O" : "-Onone", "-o", output]
    for map in moduleMaps { args += ["-Xcc", "-fmodule-map-file=\(map)"] }
    #if os(macOS)
      // hsq's symbols come from the executable at load time.
      args += ["-Xlinker", "-undefined", "-Xlinker", "dynamic_lookup"]
    #endif
    return args + sources
  }
}
