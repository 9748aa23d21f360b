/// What Jupyter knows the hsq kernel by: the kernelspec's name and display name, and the language.
///
/// The exported `.ipynb` files and the kernel (`hsq-repl kernel`, its `kernel.json` and its
/// `kernel_info_reply`) all read these, so a notebook opens with the kernel that runs it.
public enum JupyterKernelSpec {
  /// The kernelspec's directory name: `jupyter execute --kernel_name=hsq`.
  public static let name = "hsq"
  /// The name JupyterLab's launcher and kernel picker show.
  public static let displayName = "hsq"
  /// The language of the cells.
  public static let language = "hsq"
  /// The MIME type of a cell's source.
  public static let mimetype = "text/x-hsq"
  /// The extension of an exported script (`hsq-repl FILE.hsq` runs one).
  public static let fileExtension = ".hsq"
  /// Pygments' lexer for highlighting in nbconvert: `bash` (`#` comments, quoted words, `--options`).
  public static let pygmentsLexer = "bash"
  /// CodeMirror's mode for highlighting in the notebook editor.
  public static let codemirrorMode = "shell"
}
