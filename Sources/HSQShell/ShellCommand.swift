import ArgumentParser
import Foundation
import HSQCommands
import HSQCore
import HSQLineEditor

/// hsq's interactive shell: compose pipelines from registered components and step convergence experiments.
///
/// `hsq-repl` is this command's `main()`. A package that registers its own components and commands
/// starts the same shell with them:
///
/// ```swift
/// import HSQ
/// import HSQShell
///
/// try Compressors.register(MyQuantizer.self)
/// try Commands.register(MyCommands.self)   // a CommandSet, declared like the built-ins
/// HSQShellCommand.main()
/// ```
public struct HSQShellCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "hsq-repl",
    abstract: "Hyper-Sphere Quantization workbench: compose compressors, models and datasets, step experiments, and hold theory against observation.",
    discussion: """
      Without arguments, opens the interactive session (type 'tour' for a guided first experiment, 'help' for commands). \
      With FILE (or --script FILE) runs the file's commands and stops at the first error, printing file:line. \
      Standard input that is not a terminal is run the same way. 'hsq-repl notebook run|check|export FILE.md' \
      runs, checks or exports a Markdown notebook; \
      'hsq-repl kernel install' makes hsq a Jupyter kernel.
      """,
    version: hsqVersion,
    subcommands: [NotebookCommand.self, KernelCommand.self])

  @Argument(help: "A script of hsq commands (.hsq) to run non-interactively.", completion: .file())
  var file: String?

  @Option(name: .customLong("script"), help: "A script to run non-interactively (same as FILE).", completion: .file())
  var script: String?

  @Flag(help: "Print every command's result as one JSON object per line.")
  var json = false

  @Flag(help: "In a script, report every failing command and go on instead of stopping at the first.")
  var keepGoing = false

  @Flag(help: "Let the script compile and load add-ons ('load FILE.swift'); without it such a line fails.")
  var allowLoad = false

  @OptionGroup(title: "Session journal (see 'If hsq dies' in the README)")
  var journalOptions: JournalOptions

  public init() {}

  /// Parses the process's arguments and runs: `notebook …` goes to ``NotebookCommand``, anything else to this command.
  ///
  /// The root's optional FILE argument would take `notebook` as a script name, so the subcommand (and
  /// `help notebook …`) is dispatched before parsing; `--help` still lists it.
  public static func main() {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if isSubcommand(NotebookCommand.configuration.commandName, arguments) {
      NotebookRoot.main(arguments)
    } else if isSubcommand(KernelCommand.configuration.commandName, arguments) {
      KernelRoot.main(arguments)
    } else {
      main(arguments)
    }
  }

  /// Runs the shell on `arguments` as ``main()`` does, but returns the exit status instead of leaving
  /// the process, so a front end can wind down first (`hsq-mpi` stops its other ranks).
  ///
  /// Help and errors print as `main()` prints them (help on standard output, errors on standard error).
  public static func status(_ arguments: [String]) -> Int32 {
    isSubcommand(NotebookCommand.configuration.commandName, arguments) ? NotebookRoot.status(parsing: arguments) : status(parsing: arguments)
  }

  /// Whether `arguments` are `NAME …` or `help NAME …` (a subcommand dispatched before parsing).
  private static func isSubcommand(_ name: String?, _ arguments: [String]) -> Bool {
    arguments.first == name || (arguments.first == "help" && arguments.dropFirst().first == name)
  }

  public func run() throws {
    let session = Session()
    session.terminalWidth = terminalColumns()
    session.allowsLoadFromFiles = allowLoad
    // Ctrl-C cancels the command running (scripts too), instead of killing the process.
    Interrupt.install()
    session.cancellation = Cancellation(signal: .controlC)
    let runner = ScriptRunner(session: session, json: json, keepGoing: keepGoing)
    journalOptions.begin(session, interactive: file == nil && script == nil && isatty(0) != 0)
    let outcome: ScriptRunner.Outcome
    if let path = file ?? script {
      let bytes: [UInt8]
      do { bytes = try session.cancellation.whileCurrent { try FileBytes.read(path) } } catch let error as HSQError {
        throw ValidationError(error.description)
      }
      outcome = runner.run(String(decoding: bytes, as: UTF8.self), name: path, path: URL(fileURLWithPath: path).path)
    } else if isatty(0) == 0 {
      outcome = runner.run(lines: AnySequence { AnyIterator { readLine(strippingNewline: true) } }, name: "<stdin>")
    } else {
      Interactive(session: session, json: json).run()
      return
    }
    if outcome != .succeeded { throw ExitCode(outcome.exitCode) }
  }
}

extension ParsableCommand {
  /// Parses and runs `arguments` with this command as the root; returns the exit status `main` would exit with.
  static func status(parsing arguments: [String]) -> Int32 {
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
      return 0
    } catch {
      let code = exitCode(for: error)
      let message = fullMessage(for: error)
      if !message.isEmpty {
        let handle = code == .success ? FileHandle.standardOutput : FileHandle.standardError
        handle.write(Data((message + "\n").utf8))
      }
      return code.rawValue
    }
  }
}

/// The version `--version` prints.
public let hsqVersion = "0.1.0"

/// Columns for tables and plots: the terminal's when stdout is one (or COLUMNS), else 160 so scripts' output does not depend on a window.
func terminalColumns() -> Int {
  if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text), n >= 40 { return n }
  var size = winsize()
  if isatty(1) != 0, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 40 { return Int(size.ws_col) }
  return 160
}
