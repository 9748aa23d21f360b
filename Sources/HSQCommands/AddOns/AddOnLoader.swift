import Foundation
import HSQ
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Compiles add-on source files, opens them and registers their components, for `load` and `reload`.
///
/// Process-wide, like the registries it fills. Every load writes a library with a fresh
/// file and module name (`dlopen` caches by path, and the Swift runtime keys types by module),
/// so a reload really runs the edited code; an old library is never closed, so compressors
/// built from it — in experiments that have not rebound — keep working. What it has loaded is
/// behind a `Mutex`; compiling and opening run outside it.
final class AddOnLoader: Sendable {
  static let shared = AddOnLoader()

  /// An add-on as last loaded.
  struct AddOn {
    /// The file or directory given to `load`, absolute: the key its components are registered under.
    let path: String
    let components: [(kind: ComponentKind, name: String)]
    /// How many times it has been loaded (1 for the first load).
    let generation: Int
    /// Compile, open and register, in seconds.
    let seconds: Double
    /// Components the previous generation registered and this one does not (now unregistered).
    let dropped: [String]
  }

  /// What has been loaded.
  private struct State {
    var addOns: [String: AddOn] = [:]
    /// Add-on paths in the order of their first successful load.
    var order: [String] = []
    var loads = 0
    /// Where libraries are built: private to this loader, made on the first load, removed with the loader (or at exit).
    var libraryDirectory: AddOnLibraryDirectory?
  }

  private let state = Mutex(State())

  /// Loaded add-ons' paths, in the order they were first loaded.
  var loadedPaths: [String] { state.withLock { $0.order } }

  func isLoaded(_ path: String) -> Bool { state.withLock { $0.addOns[path] != nil } }

  /// Compiles, opens and registers the add-on at `path` (a `.swift` file, a directory of them, or a package).
  ///
  /// Loading a path again replaces the components it registered before.
  ///
  /// - Throws: ``HSQError`` naming the file and the problem: compile errors with file:line,
  ///   a missing entry point, a registration that threw or took a name already taken.
  func load(_ path: String) throws -> AddOn {
    let start = DispatchTime.now().uptimeNanoseconds
    let sources = try AddOnSources.find(path)
    let toolchain = try AddOnToolchain.current()
    let (generation, module, library) = try state.withLock { state throws -> (Int, String, String) in
      let directory = try state.libraryDirectory ?? AddOnLibraryDirectory()
      state.libraryDirectory = directory
      state.loads += 1
      let generation = (state.addOns[path]?.generation ?? 0) + 1
      let module = "HSQAddOn_\(AddOnSources.moduleName(for: path))_\(state.loads)"
      return (generation, module, directory.file("lib\(module).so"))
    }
    try compile(sources, toolchain: toolchain, module: module, output: library, path: path)
    // Opening runs the library's initializers, and then its entry point: add-on code from here on.
    AddOnActivity.willRun(path, "load")
    let entryPoint = try open(library, path: path)
    let before = Set(OwnedNames.registries.flatMap { $0.names(ownedBy: path) })
    let components: [(kind: ComponentKind, name: String)]
    do {
      components = try AddOnRegistration.load(owner: path) { entryPoint() }
    } catch let failure as AddOnRegistration.RegistrationFailure {
      // Take back what this load added before it failed; names it replaced keep the new code.
      for (kind, name) in failure.registered where !before.contains(OwnedName(kind: kind, name: name)) {
        OwnedNames.unregister(OwnedName(kind: kind, name: name))
      }
      throw Self.registrationError(failure.error, path: path)
    }
    guard !components.isEmpty else {
      throw HSQError.invalidArgument("'\(Self.display(path))' registered nothing; its 'hsq_register' must call e.g. 'try Compressors.register(MyQuant.self)' or 'try Commands.register(MyCommands.self)' inside AddOnRegistration.run.")
    }
    let dropped = before.subtracting(components.map { OwnedName(kind: $0.kind, name: $0.name) })
      .sorted { ($0.name, $0.kind.rawValue) < ($1.name, $1.kind.rawValue) }
    for name in dropped { OwnedNames.unregister(name) }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let addOn = AddOn(path: path, components: components, generation: generation, seconds: seconds, dropped: dropped.map(\.name))
    state.withLock { state in
      if state.addOns[path] == nil { state.order.append(path) }
      state.addOns[path] = addOn
    }
    return addOn
  }

  /// Runs swiftc; on failure throws its error lines (file:line:column: error: …).
  private func compile(_ sources: [String], toolchain: AddOnToolchain, module: String, output: String, path: String) throws {
    let run: ChildProcess.Outcome
    do {
      // Cancellable: Ctrl-C stops the compiler (in a process group of its own, it does not see the
      // terminal's signal) and the command, leaving the session as it was.
      run = try ChildProcess.run(
        path: toolchain.swiftc, toolchain.arguments(sources: sources, module: module, output: output), mergeErrors: true,
        cancellable: true)
    } catch let error as HSQError {
      if case .interrupted = error { throw error }
      throw HSQError.invalidState("\(error) Set HSQ_SWIFTC to the swiftc that built hsq.")
    }
    guard run.status != 0 else { return }
    let log = run.output
    let lines = log.split(separator: "\n").map(String.init)
    let errors = lines.filter { $0.contains(": error: ") }
    let cwd = FileManager.default.currentDirectoryPath + "/"
    let shown = (errors.isEmpty ? Array(lines.suffix(10)) : errors).map { $0.replacingOccurrences(of: cwd, with: "") }
    throw CompileFailure(path: path, diagnostics: shown, errorCount: errors.count)
  }

  /// swiftc refused the add-on: its error lines (file:line:column: error: …), and one line that sums them up.
  struct CompileFailure: Error, CustomStringConvertible {
    let path: String
    let diagnostics: [String]
    let errorCount: Int

    var description: String {
      let first = diagnostics.first ?? "swiftc failed without a message"
      let more = errorCount > 1 ? " (and \(errorCount - 1) more error\(errorCount == 2 ? "" : "s"))" : ""
      return "'\(AddOnLoader.display(path))' does not compile: \(first)\(more). Fix the file and load it again; the session is unchanged."
    }
  }

  /// Opens the library and finds its `hsq_register` entry point.
  private func open(_ library: String, path: String) throws -> @convention(c) () -> Void {
    guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else {
      let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
      throw HSQError.invalidState("Cannot open the library built from '\(Self.display(path))': \(reason). It must be built against this hsq-repl's own build (linked with --export-dynamic); rebuild hsq-repl and load again.")
    }
    guard let symbol = dlsym(handle, "hsq_register") else {
      throw HSQError.invalidArgument("'\(Self.display(path))' has no entry point 'hsq_register'; add '@_cdecl(\"hsq_register\") public func hsqRegister() { AddOnRegistration.run { try Compressors.register(MyQuant.self) } }' (see the template from 'swift package hsq-new-compressor').")
    }
    return unsafeBitCast(symbol, to: (@convention(c) () -> Void).self)
  }

  /// The message for an error thrown during registration.
  static func registrationError(_ error: any Error, path: String) -> HSQError {
    if case let HSQError.duplicateName(kind, name) = error {
      let owner = OwnedNames.registries.first { $0.kind.rawValue == kind }?.owner(name)
      let holder = owner.map { "by '\(display($0))'" } ?? "by a built-in \(kind)"
      let place = kind == ComponentKind.command.rawValue ? "its CommandSpec" : "its ComponentInfo"
      return .invalidArgument("'\(display(path))' registers \(kind) '\(name)', a name already taken \(holder); give it another name in \(place) and load again.")
    }
    return .invalidArgument("'\(display(path))' failed while registering its components: \(error)")
  }

  /// `path` as shown in messages: relative to the current directory when inside it.
  static func display(_ path: String) -> String {
    let cwd = FileManager.default.currentDirectoryPath + "/"
    return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
  }
}

/// A name an add-on registered, of one kind.
struct OwnedName: Hashable {
  let kind: ComponentKind
  let name: String
}

/// A registry an add-on may add to, as the loader sees it: who owns a name, and taking one back.
struct OwnedNames: Sendable {
  let kind: ComponentKind
  let owner: @Sendable (String) -> String?
  let names: @Sendable () -> [String]
  let remove: @Sendable (String) -> Void

  init<Product>(_ table: ComponentTable<Product>) {
    kind = table.kind
    owner = { table.owner(of: $0) }
    names = { table.names }
    remove = { table.unregister($0) }
  }

  init(_ table: CommandTable) {
    kind = .command
    owner = { table.owner(of: $0) }
    names = { table.names }
    remove = { table.unregister($0) }
  }

  /// What the add-on file `path` has registered here.
  func names(ownedBy path: String) -> [OwnedName] {
    names().filter { owner($0) == path }.map { OwnedName(kind: kind, name: $0) }
  }

  /// Every registry `load` knows how to take names back from.
  static let registries = [
    OwnedNames(Compressors.registry), OwnedNames(Codebooks.registry), OwnedNames(Models.registry),
    OwnedNames(Datasets.registry), OwnedNames(Partitions.registry), OwnedNames(Aggregators.registry),
    OwnedNames(ServerOptimizers.registry), OwnedNames(Commands.registry),
  ]

  static func unregister(_ name: OwnedName) {
    registries.first { $0.kind == name.kind }?.remove(name.name)
  }
}
