import HSQ
import Synchronization

/// Commands declared together — one file's worth — and registered as one, the way a component
/// type is: help, `??`, apropos, Tab completion and `--json` read their ``CommandSpec``s.
///
/// Built-ins are discovered, not listed: every type in `HSQCommands` that conforms is found by the
/// RegisterBuiltins build-tool plugin. A package registers its own before starting the shell, and an
/// add-on file registers its own from its `hsq_register` entry point:
///
/// ```swift
/// enum SweepCommands: CommandSet {
///   static let commands = [
///     CommandSpec("sweep", group: "Sweeps", abstract: "…") { session, args in CommandOutput(text: "…") },
///   ]
/// }
///
/// try Commands.register(SweepCommands.self)   // in main.swift, or inside AddOnRegistration.run
/// ```
public protocol CommandSet: Sendable {
  /// The commands, in the order help lists them.
  static var commands: [CommandSpec] { get }
  /// Where help lists these commands: lower first, ties in registration order. The built-ins use
  /// 0…99; the default, 1000, lists a set registered from outside after them.
  static var helpOrder: Int { get }
}

extension CommandSet {
  public static var helpOrder: Int { 1000 }
}

extension ComponentKind {
  /// A command, as add-on loads report it ("command 'sweep'").
  public static let command = ComponentKind(rawValue: "command")
}

/// Every command of the process: the built-ins plus those registered by a package or an add-on.
public enum Commands {
  /// The table every session reads.
  static let registry = CommandTable.builtins()

  /// Registers a set of commands.
  ///
  /// - Throws: ``HSQError/duplicateName(kind:name:)`` when a name or alias is taken (by a built-in,
  ///   an earlier registration or another add-on file), or ``HSQError/invalidArgument(_:)`` for a
  ///   name that cannot be typed as a command; nothing of the set is registered then.
  public static func register(_ set: any CommandSet.Type) throws { try registry.register(set) }

  /// Every command, in help order.
  public static var all: [CommandSpec] { registry.all }

  /// The command named (or aliased) `name`.
  public static func named(_ name: String) -> CommandSpec? { registry.named(name) }
}

/// The registered commands, safe to use from several threads.
///
/// As in ``ComponentTable``, a name registered during an add-on load belongs to that file
/// (``AddOnRegistration/owner``): the same file may replace its commands (`reload`), no one else may.
final class CommandTable: Sendable {
  private struct Entry {
    var spec: CommandSpec
    var helpOrder: Int
    /// Registration order, for ties in ``helpOrder``.
    var sequence: Int
    /// The add-on file that registered it; `nil` for built-ins and in-process registrations.
    var owner: String?
  }

  private struct State {
    var entries: [Entry] = []
    var registrations = 0
  }

  private let state = Mutex(State())

  /// A table of the built-in commands alone.
  static func builtins() -> CommandTable {
    let table = CommandTable()
    for set in builtinCommandSets {
      do { try table.register(set) } catch { preconditionFailure("built-in commands \(set) failed to register: \(error)") }
    }
    return table
  }

  func register(_ set: any CommandSet.Type) throws {
    let owner = AddOnRegistration.owner
    let specs = set.commands
    try state.withLock { state in
      var seen = Set<String>()
      for spec in specs {
        for word in [spec.name] + spec.aliases {
          try Self.requireTypable(word, command: spec.name)
          let holder = state.entries.first { $0.spec.name == word || $0.spec.aliases.contains(word) }
          let replacesOwn = holder.map { owner != nil && $0.owner == owner && $0.spec.name == spec.name } ?? false
          guard seen.insert(word).inserted, holder == nil || replacesOwn else {
            throw HSQError.duplicateName(kind: ComponentKind.command.rawValue, name: word)
          }
        }
      }
      for spec in specs {
        if let i = state.entries.firstIndex(where: { $0.spec.name == spec.name }) {
          state.entries[i].spec = spec
        } else {
          state.registrations += 1
          state.entries.append(Entry(spec: spec, helpOrder: set.helpOrder, sequence: state.registrations, owner: owner))
        }
      }
    }
    if owner != nil {
      for spec in specs { AddOnRegistration.noteRegistered(kind: .command, name: spec.name) }
    }
  }

  /// A command word is typed at the prompt: letters, digits, `-` and `_`, starting with a letter.
  private static func requireTypable(_ word: String, command: String) throws {
    guard word == "?" || (word.first?.isLetter == true && word.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
      throw HSQError.invalidArgument("The command name '\(word)'\(word == command ? "" : " (an alias of '\(command)')") cannot be typed; use letters, digits, '-' and '_', starting with a letter.")
    }
  }

  /// Every command, in help order.
  var all: [CommandSpec] {
    state.withLock { state in
      state.entries.sorted { ($0.helpOrder, $0.sequence) < ($1.helpOrder, $1.sequence) }.map(\.spec)
    }
  }

  func named(_ name: String) -> CommandSpec? {
    state.withLock { state in state.entries.first { $0.spec.name == name || $0.spec.aliases.contains(name) }?.spec }
  }

  /// The add-on file that registered the command `name`; `nil` for a built-in, one registered in-process, or an unknown name.
  func owner(of name: String) -> String? {
    state.withLock { state in state.entries.first { $0.spec.name == name }?.owner }
  }

  /// Every command's name, in registration order.
  var names: [String] {
    state.withLock { state in state.entries.map(\.spec.name) }
  }

  /// Removes a command (an add-on's, when a load fails or a reload no longer declares it).
  func unregister(_ name: String) {
    state.withLock { state in state.entries.removeAll { $0.spec.name == name } }
  }
}
