import ArgumentParser
import Foundation
import HSQCore
import HSQLineEditor
import HSQNotebook

/// `hsq-repl notebook run|check|export`: executable, checked Markdown notebooks.
struct NotebookCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "notebook",
    abstract: "Runs, checks or exports a Markdown notebook whose ```hsq blocks are REPL commands.",
    discussion: """
      Every ```hsq block runs in one session; its output (text, and SVG figures saved beside the notebook) is written \
      back between <!-- hsq:output --> and <!-- hsq:end -->. 'check' re-runs and fails, naming the block, if any output \
      changed. With --quick, lines' '# quick: …' settings replace them and the record lives in quick/ beside the notebook.
      """,
    subcommands: [Run.self, Check.self, Export.self])

  struct Options: ParsableArguments {
    @Argument(help: "A Markdown notebook (.md).", completion: .file(extensions: ["md"]))
    var file: String

    @Flag(help: "Run the '# quick:' settings and use the record in quick/ beside the notebook.")
    var quick = false

    @Flag(help: "Let the notebook compile and load add-ons ('load FILE.swift'); without it such a line fails.")
    var allowLoad = false

    func runner() -> NotebookRunner {
      var runner = NotebookRunner(quick: quick)
      runner.allowLoad = allowLoad
      Interrupt.install()
      runner.cancellation = Cancellation(signal: .controlC)
      runner.progress = { index, count, line in
        FileHandle.standardError.write(Data("[\(index)/\(count)] \(line)\n".utf8))
      }
      return runner
    }
  }

  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Runs every block and writes the outputs into the notebook (or its quick record).")
    @OptionGroup var options: Options

    func run() throws {
      let written = try report { try options.runner().run(path: options.file) }
      print("Wrote \(written).")
    }
  }

  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Re-runs every block and fails if any recorded output or figure changed.")
    @OptionGroup var options: Options

    func run() throws {
      try report { try options.runner().check(path: options.file) }
      print("\(options.file): every block matches its recorded output\(options.quick ? " (quick)" : "").")
    }
  }

  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Writes the notebook with its recorded outputs as a Jupyter notebook (nbformat 4).")
    @Argument(help: "A Markdown notebook (.md) that has been run.", completion: .file(extensions: ["md"]))
    var file: String

    @Option(help: "The .ipynb file to write.", completion: .file(extensions: ["ipynb"]))
    var ipynb: String

    @Flag(help: "Export the quick record, with the '# quick:' settings as the cells' commands.")
    var quick = false

    func run() throws {
      try report { try JupyterNotebook.export(notebookAt: file, to: ipynb, quick: quick) }
      print("Wrote \(ipynb).")
    }
  }
}

/// `hsq-repl` with only its `notebook` subcommand, so usage and errors read `hsq-repl notebook …`.
struct NotebookRoot: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "hsq-repl", subcommands: [NotebookCommand.self])
}

/// Runs `body`; a notebook error prints as one line on standard error and exits 1.
private func report<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as NotebookError {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    if case .interrupted = error { throw ExitCode(130) }
    throw ExitCode.failure
  }
}
