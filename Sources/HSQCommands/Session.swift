import Foundation
import HSQ

/// A named object of a session.
public enum SessionValue {
  case compressor(any Compressor)
  case codebook(Codebook)
  case experiment(Experiment)

  /// `compressor`, `codebook` or `experiment`.
  public var kind: String {
    switch self {
    case .compressor: return "compressor"
    case .codebook: return "codebook"
    case .experiment: return "experiment"
    }
  }

  /// The spelling that rebuilds it (experiments: their compressor's is not relevant).
  public var summary: String {
    switch self {
    case let .compressor(c): return c.spec
    case let .codebook(c): return c.name
    case let .experiment(e): return "step \(e.stepCount), \(e.config.model) on \(e.config.dataset), \(e.config.compressor)"
    }
  }
}

/// The command engine: a string in, a ``CommandOutput`` out, with the session's named objects in between.
///
/// No terminal code lives here: the REPL, scripts, notebooks and tests all
/// call ``execute(_:)``. Errors never escape — a failing command returns
/// its message and the session goes on.
public final class Session {
  /// Named objects, by name.
  public internal(set) var variables: [String: SessionValue] = [:]
  /// Variable names in the order they were bound.
  public internal(set) var order: [String] = []
  /// Sweeps by name ('sweep'), apart from the variables: a sweep holds runs' records, not a live object.
  public internal(set) var sweeps: [String: Sweep] = [:]
  /// Sweep names in the order they were made.
  public internal(set) var sweepOrder: [String] = []
  /// The experiment `step`, `run`, `set`, `show` … act on.
  public internal(set) var current: String?
  /// Stops long work: installed as ``Cancellation/current`` for every top-level command and reset
  /// at its start; the REPL and scripts give it the SIGINT flag as its signal, tests cancel it from
  /// another thread. Commands run by `replay` or a notebook share the token of the command around them.
  public var cancellation = Cancellation()
  /// The files being run, outermost first (resolved paths): scripts, `replay`s, a notebook.
  /// `replay` refuses a file already on it (a cycle) and nesting deeper than ``maximumFileDepth``.
  public internal(set) var fileStack: [String] = []
  /// The most files `replay` may nest.
  public static let maximumFileDepth = 16
  /// Whether commands read from a file (a script, `replay`, a notebook) may `load` code; the
  /// front ends set it for `--allow-load`. Commands typed (or piped) in are always allowed.
  public var allowsLoadFromFiles = false
  /// Called with progress lines during long commands (the REPL prints them as they come).
  public var progress: (String) -> Void = { _ in }
  /// Columns available for tables and plots (the REPL sets the terminal's; scripts and notebooks keep 160).
  public var terminalWidth = 160
  /// Where relative paths are resolved: files read, and files written unless ``outputDirectory`` is set.
  public var workingDirectory = FileManager.default.currentDirectoryPath
  /// Where relative paths of files commands write (SVG, exports, checkpoints, recordings) go, when not the
  /// working directory; files written there are also read from there first. Notebooks write their figures
  /// beside their record, or into a scratch folder when checking, while reading inputs beside the notebook.
  public var outputDirectory: String?
  /// Whether files written must stay inside ``outputDirectory``: `notebook check` sets it for its scratch
  /// folder, so an untrusted notebook cannot write elsewhere (absolute paths and `..` escapes are refused).
  public var confinesWrites = false
  /// Whether outputs include wall-clock times; notebooks turn it off so a re-run prints the same text.
  public var showsTimings = true
  /// The memory limit every command of this session runs under (see ``MemoryBudget``); `memory SIZE` sets it.
  public var memoryBudget = MemoryBudget.processDefault
  /// Set by `quit`.
  public internal(set) var shouldExit = false
  /// Why `quit` cannot end this session, for a front end that does not end on it (a Jupyter kernel: the
  /// notebook ends it); `quit` then fails with this message and the session goes on.
  public var quitRefusal: String?
  /// The active recording, if any.
  var recorder: SessionRecorder?
  /// What `record` keeps for the command being run, when it differs from the line typed.
  var recordedLine: String?
  /// The session journal, when this session keeps one (see ``startJournal(_:)``).
  public internal(set) var journal: SessionJournal?

  /// The commands this session runs: the process's (``Commands``), or a table of a test's own.
  let commandTable: CommandTable

  public init() { commandTable = Commands.registry }

  /// A session whose commands are `commandTable`'s, so a test can register commands without the rest of the process seeing them.
  init(commandTable: CommandTable) { self.commandTable = commandTable }

  /// Every command of the process, in help order: the built-ins and those registered since (see ``Commands``).
  public static var commands: [CommandSpec] { Commands.all }

  /// The command of the process named `name` (or aliased).
  public static func command(_ name: String) -> CommandSpec? { Commands.named(name) }

  /// Every command this session runs, in help order.
  public var commands: [CommandSpec] { commandTable.all }

  /// The command this session runs named `name` (or aliased).
  public func command(_ name: String) -> CommandSpec? { commandTable.named(name) }

  /// Runs one line and returns its output; never throws.
  ///
  /// A top-level command resets ``cancellation`` and runs with it as the current token; a command
  /// run inside another (by `replay`, a notebook, a script) keeps the token already current.
  public func execute(_ line: String) -> CommandOutput {
    if Cancellation.current != nil { return executeNow(line) }
    cancellation.reset()
    return cancellation.whileCurrent { executeNow(line) }
  }

  private func executeNow(_ line: String) -> CommandOutput {
    var text = line.trimmingWhitespace()
    if text.hasPrefix("??") { text = "help --full " + text.dropFirst(2) }
    else if text.hasPrefix("?") { text = "help " + text.dropFirst(1) }
    do {
      let words = try Tokenizer.split(text)
      guard let name = words.first else { return CommandOutput() }
      guard let command = self.command(name) else {
        let names = commands.flatMap { [$0.name] + $0.aliases }
        throw HSQError.unknownName(kind: "command", name: name, suggestion: closestMatch(to: name, in: names))
      }
      let parsed = try Self.parse(Array(words.dropFirst()), for: command)
      recordedLine = nil
      journalWillRun(command)
      let output: CommandOutput
      do {
        output = try MemoryBudget.$current.withValue(memoryBudget) { try command.run(self, parsed) }
      } catch {
        journalDidRun(command, line: text, output: .failure(Self.message(for: error)))
        throw error
      }
      journalDidRun(command, line: recordedLine ?? text, output: output)
      if command.isRecorded, let recorder, !output.isError {
        do {
          try recorder.append(recordedLine ?? text)
        } catch {
          self.recorder = nil
          var failed = output
          failed.error = Self.message(for: error)
          return failed
        }
      }
      return output
    } catch {
      return .failure(Self.message(for: error))
    }
  }

  /// The one-line message for an error: its description if it is a ``UserFacingError``.
  static func message(for error: any Error) -> String { userFacingMessage(for: error) }

  /// Throws unless `positional` has every required argument of `command` and, unless the last is variadic, no more than it declares.
  private static func checkArgumentCount(_ positional: [String], for command: CommandSpec) throws {
    let required = command.arguments.filter { !$0.isOptional }.count
    let variadic = command.arguments.last?.isVariadic ?? false
    if positional.count < required {
      let missing = command.arguments[positional.count]
      throw HSQError.missingArgument(command: command.name, argument: missing.name, doc: missing.doc, usage: command.usage)
    }
    if !variadic, positional.count > command.arguments.count {
      throw HSQError.extraArgument(command: command.name, limit: command.arguments.count, extra: positional[command.arguments.count], usage: command.usage)
    }
  }

  /// Matches words against a command's declared arguments and options.
  static func parse(_ words: [String], for command: CommandSpec) throws -> ParsedArguments {
    var positional: [String] = []
    var options: [String: String] = [:]
    var flags = Set<String>()
    var i = 0
    while i < words.count {
      let word = words[i]
      if word.hasPrefix("--"), word.count > 2 {
        var name = String(word.dropFirst(2))
        var inlineValue: String?
        if let eq = name.firstIndex(of: "=") {
          inlineValue = String(name[name.index(after: eq)...])
          name = String(name[..<eq])
        }
        guard let option = command.options.first(where: { $0.name == name }) else {
          throw HSQError.unknownOption(command: command.name, option: name, suggestion: closestMatch(to: name, in: command.options.map(\.name)))
        }
        if option.isFlag {
          flags.insert(name)
        } else if let inlineValue {
          options[name] = inlineValue
        } else {
          guard i + 1 < words.count else {
            throw HSQError.missingValue(command: command.name, option: name, valueName: option.valueName!)
          }
          options[name] = words[i + 1]
          i += 1
        }
      } else {
        positional.append(word)
      }
      i += 1
    }
    try checkArgumentCount(positional, for: command)
    return ParsedArguments(command: command.name, positional: positional, options: options, flags: flags)
  }

  // MARK: - Variables

  /// Binds `name` (letters, digits, `-`, `_`; starting with a letter).
  ///
  /// The one place names are bound, so the one rule about replacing: see ``requireBindable(_:replacing:)``.
  func bind(_ name: String, _ value: SessionValue, replacing: Bool) throws {
    try requireBindable(name, replacing: replacing)
    if variables[name] == nil { order.append(name) }
    variables[name] = value
  }

  /// Throws unless `name` is a valid name that may be bound now.
  ///
  /// An experiment that has taken steps (or been changed with `set`) holds work no single command
  /// recreates, so it is replaced only when asked (`--replace`). A pristine experiment at step 0 and
  /// compressor or codebook variables are rebound freely: their own command recreates them.
  /// Commands call this before building something expensive, and ``bind(_:_:replacing:)`` again.
  func requireBindable(_ name: String, replacing: Bool) throws {
    guard let first = name.first, first.isLetter, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
      throw HSQError.invalidArgument("'\(name)' is not a valid name; use letters, digits, '-' and '_', starting with a letter.")
    }
    guard command(name) == nil else {
      throw HSQError.invalidArgument("'\(name)' is a command; choose another name.")
    }
    guard !replacing, case let .experiment(e)? = variables[name], e.stepCount > 0 || !e.history.isEmpty || !e.events.isEmpty else { return }
    throw HSQError.invalidState("'\(name)' is an experiment at step \(e.stepCount); choose another name (e.g. '\(freeName(like: name))') or add --replace.")
  }

  /// `name` followed by the smallest number ≥ 2 that makes a free name.
  func freeName(like name: String) -> String {
    let stem = String(name.reversed().drop { $0.isNumber }.reversed())
    let start = Int(name.dropFirst(stem.count)).flatMap { $0 < Int.max - 1000 ? $0 + 1 : nil } ?? 2
    return (start...).lazy.map { "\(stem)\($0)" }.first { variables[$0] == nil && command($0) == nil }!
  }

  /// The variable `name`.
  func value(_ name: String) throws -> SessionValue {
    guard let v = variables[name] else {
      throw HSQError.unknownName(kind: "variable", name: name, suggestion: closestMatch(to: name, in: order))
    }
    return v
  }

  /// The experiment named `name`, or the current one.
  func experiment(_ name: String? = nil) throws -> Experiment {
    guard let key = name ?? current else {
      throw HSQError.missing(thing: "experiment yet", plural: false, fix: "create one with 'experiment NAME' (e.g. 'experiment e1 compressor=hsq') or run 'tour'")
    }
    guard case let .experiment(e) = try value(key) else {
      throw HSQError.wrongKind(name: key, kind: try value(key).kind, expected: "an experiment")
    }
    return e
  }

  /// Experiment names in binding order.
  var experimentNames: [String] {
    order.filter { if case .experiment = variables[$0] { return true } else { return false } }
  }

  /// A compressor spelling with variables substituted: `q` → its spec. Commands registered from
  /// outside use it too, so their compressor arguments take variables like the built-ins'.
  public func resolveCompressor(_ text: String) -> String {
    if case let .compressor(c)? = variables[text] { return c.spec }
    return text
  }
}
