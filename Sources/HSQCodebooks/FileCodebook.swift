import HSQCore

/// A codebook loaded from a `.fvecs` or `.npy` file, such as the authors' learned codebooks.
///
/// ```
/// file:path=codebooks/learned_codebook/angular_dim_16_Ks_256.fvecs
/// ```
///
/// Rows are normalized to unit length, as the authors' code does. `dim`
/// and `k` have no defaults: when given, they are checked against the file
/// (so a pipeline that asks for D = 16, K = 256 cannot silently get another
/// shape). `seed` is accepted like every construction's and ignored.
///
/// **Properties**
/// - whatever the file holds; measure it with ``CodebookQuality``.
public enum FileCodebook: CodebookConstruction {
  public static let info = ComponentInfo(
    kind: .codebook, name: "file",
    parameters: [
      .int("dim", 1...65536, default: nil, doc: "D; when given, the file must have this dimension."),
      .int("k", 1...65536, default: nil, doc: "K; when given, the file must have this many codewords."),
      .int("seed", 0...Int(Int32.max), default: 0, doc: "Ignored: a file codebook is what the file holds."),
      .path("path", required: true, doc: "The codebook file, .fvecs or .npy."),
      .choice("format", ["auto", "fvecs", "npy"], default: "auto", doc: "The file format; auto takes it from the extension."),
    ])

  public static func make(_ parameters: ParameterValues) throws -> Codebook {
    let path = parameters.string("path")
    let format = parameters.string("format") == "auto" ? nil : CodebookFileFormat(rawValue: parameters.string("format"))
    let codebook = try Codebook(contentsOfFile: path, format: format, name: parameters.canonical)
    if let dim = parameters.optionalInt("dim"), dim != codebook.dim {
      throw HSQError.invalidArgument(
        "Codebook file '\(path)' has dimension \(codebook.dim), not dim=\(dim); give dim=\(codebook.dim) or a file of dimension \(dim).")
    }
    if let k = parameters.optionalInt("k"), k != codebook.count {
      throw HSQError.invalidArgument(
        "Codebook file '\(path)' has \(codebook.count) codewords, not k=\(k); give k=\(codebook.count) or a file with \(k) codewords.")
    }
    return codebook
  }
}
