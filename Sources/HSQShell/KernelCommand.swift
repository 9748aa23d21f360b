import ArgumentParser
import Foundation
import HSQCommands
import HSQCore
import HSQKernel
import HSQLineEditor

/// `hsq-repl kernel`: hsq as a Jupyter kernel (started by Jupyter), and `kernel install` to register it.
struct KernelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kernel",
    abstract: "Runs hsq as a Jupyter kernel; 'hsq-repl kernel install' registers it with Jupyter.",
    discussion: """
      Jupyter starts the kernel with the connection file it wrote ('hsq-repl kernel --connection-file FILE'); \
      every cell runs in one session, as lines typed into hsq-repl do. Interrupting the kernel stops a running \
      command between steps, like Ctrl-C.
      """,
    subcommands: [Install.self])

  @Option(help: "The connection file Jupyter passes ({connection_file} in kernel.json).", completion: .file(extensions: ["json"]))
  var connectionFile: String?

  func run() throws {
    guard let connectionFile else {
      FileHandle.standardError.write(Data("error: give the connection file: 'hsq-repl kernel --connection-file FILE' (Jupyter does this), or run 'hsq-repl kernel install' to register the kernel.\n".utf8))
      throw ExitCode.validationFailure
    }
    let session = Session()
    // An interrupt by signal (Ctrl-C in the terminal running Jupyter) stops the command, not the kernel.
    Interrupt.install()
    session.cancellation = Cancellation(signal: .controlC)
    try reportingKernelErrors {
      let info = try ConnectionInfo.read(connectionFile)
      let kernel = Kernel(session: session, transport: try ZMQTransport(info), key: info.key, version: hsqVersion)
      kernel.run()
    }
    try? session.finishRecording()
  }

  struct Install: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Writes the hsq kernelspec (kernel.json with this executable's path) where Jupyter finds it.",
      discussion: """
        Without --prefix it goes to this user's Jupyter data directory ($JUPYTER_DATA_DIR/kernels, else \
        ~/.local/share/jupyter/kernels; ~/Library/Jupyter/kernels on macOS); with --prefix P to P/share/jupyter/kernels \
        (a virtual environment's prefix, for example). 'jupyter kernelspec list' shows it afterwards.
        """)

    @Flag(help: "Install for this user (the default).")
    var user = false

    @Option(help: "Install under this prefix (PREFIX/share/jupyter/kernels) instead of for the user.", completion: .directory)
    var prefix: String?

    @Option(help: "The kernelspec's name (what --kernel_name and notebooks' metadata refer to).")
    var name = "hsq"

    func validate() throws {
      if user, prefix != nil { throw ValidationError("Give --user or --prefix, not both.") }
    }

    func run() throws {
      let executable = Bundle.main.executableURL?.resolvingSymlinksInPath().path
        ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
      let spec = KernelSpec(executable: executable, name: name)
      let kernels = prefix.map { KernelSpec.kernelsDirectory(prefix: URL(fileURLWithPath: $0).standardizedFileURL.path) } ?? KernelSpec.userKernelsDirectory()
      let folder = try reportingKernelErrors { try spec.install(into: kernels) }
      print("Installed the kernelspec '\(name)' in \(folder) (runs \(executable)).")
    }
  }
}

/// `hsq-repl` with only its `kernel` subcommand, so usage and errors read `hsq-repl kernel …`.
struct KernelRoot: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "hsq-repl", subcommands: [KernelCommand.self])
}

/// Runs `body`; a kernel error prints as one line on standard error and exits 1.
private func reportingKernelErrors<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as KernelError {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    throw ExitCode.failure
  }
}
