import Foundation
import HSQCommands
import HSQCore
import HSQNotebook

/// The kernelspec Jupyter finds the hsq kernel by: `kernels/NAME/kernel.json` in a Jupyter data directory.
public struct KernelSpec: Sendable {
  /// The kernelspec's directory name (`--kernel_name` of `jupyter execute`).
  public var name = JupyterKernelSpec.name
  /// The absolute path of the executable Jupyter starts (`hsq-repl`).
  public var executable: String

  public init(executable: String, name: String = JupyterKernelSpec.name) {
    self.executable = executable
    self.name = name
  }

  /// `interrupt_mode`: Jupyter interrupts with an `interrupt_request` on the control channel.
  public static let interruptMode = "message"

  /// The `kernel.json` text.
  public var json: String {
    JSONValue.object([
      ("argv", .array([.string(executable), .string("kernel"), .string("--connection-file"), .string("{connection_file}")])),
      ("display_name", .string(name == JupyterKernelSpec.name ? JupyterKernelSpec.displayName : "\(JupyterKernelSpec.displayName) (\(name))")),
      ("language", .string(JupyterKernelSpec.language)),
      ("interrupt_mode", .string(Self.interruptMode)),
      ("metadata", .object([])),
    ]).rendered + "\n"
  }

  /// `language_info` of `kernel_info_reply` (the exported notebooks carry the same fields).
  public static func languageInfo(version: String) -> JSONValue {
    .object([
      ("name", .string(JupyterKernelSpec.language)), ("version", .string(version)),
      ("mimetype", .string(JupyterKernelSpec.mimetype)), ("file_extension", .string(JupyterKernelSpec.fileExtension)),
      ("pygments_lexer", .string(JupyterKernelSpec.pygmentsLexer)), ("codemirror_mode", .string(JupyterKernelSpec.codemirrorMode)),
    ])
  }

  /// Where kernelspecs go for this user: `$JUPYTER_DATA_DIR/kernels`, else `~/Library/Jupyter/kernels`
  /// on macOS and `$XDG_DATA_HOME/jupyter/kernels` (`~/.local/share/jupyter/kernels`) elsewhere — as `jupyter --data-dir` says.
  public static func userKernelsDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    if let data = environment["JUPYTER_DATA_DIR"], !data.isEmpty { return data + "/kernels" }
    let home = environment["HOME"] ?? NSHomeDirectory()
    #if os(macOS)
    return home + "/Library/Jupyter/kernels"
    #else
    let xdg = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/share"
    return xdg + "/jupyter/kernels"
    #endif
  }

  /// Where kernelspecs go under an installation prefix: `PREFIX/share/jupyter/kernels`.
  public static func kernelsDirectory(prefix: String) -> String {
    prefix + "/share/jupyter/kernels"
  }

  /// Writes `kernel.json` into `kernels/NAME` under `kernelsDirectory`.
  ///
  /// - Returns: the kernelspec's directory.
  /// - Throws: ``KernelError/install(_:)`` when the name is not a valid kernelspec name or the file cannot be written.
  @discardableResult
  public func install(into kernelsDirectory: String) throws -> String {
    guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
      throw KernelError.install("'\(name)' is not a valid kernel name; use ASCII letters, digits, '.', '_' and '-'.")
    }
    let folder = kernelsDirectory + "/" + name
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      try AtomicFile.write(Data(json.utf8), to: folder + "/kernel.json")
    } catch {
      throw KernelError.install("cannot write \(folder)/kernel.json (\(error)); choose a writable place with --user or --prefix.")
    }
    return folder
  }
}
