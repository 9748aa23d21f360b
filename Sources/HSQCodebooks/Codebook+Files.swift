import HSQCore

/// A file format a codebook can be read from and written to.
public enum CodebookFileFormat: String, Sendable, Hashable, CaseIterable {
  /// The HSQ authors' format: per vector an int32 dimension, then the float32 values (``FVecsFile``).
  case fvecs
  /// NumPy's `.npy`, a 2-D float32 array of shape (K, D) in C order (``NPYFile``).
  case npy

  /// The format named by the extension of `path` (`.fvecs` or `.npy`).
  ///
  /// - Throws: ``HSQError/unknownExtension(path:what:extensions:alternative:)`` for any other extension.
  public init(path: String) throws {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    let ext = name.contains(".") ? String(name.split(separator: ".").last!).lowercased() : ""
    guard let format = CodebookFileFormat(rawValue: ext) else {
      throw HSQError.unknownExtension(path: path, what: "codebook format", extensions: ["fvecs", "npy"], alternative: "give the format (format=fvecs or format=npy)")
    }
    self = format
  }
}

extension Codebook {
  /// A codebook read from a `.fvecs` or `.npy` file; rows are normalized to unit length.
  ///
  /// - Parameters:
  ///   - path: the file.
  ///   - format: the format; `nil` takes it from the extension.
  ///   - name: the codebook's name; `nil` gives `file:path=<path>`.
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` for a malformed file (including a zero
  ///   row), ``HSQError/unknownExtension(path:what:extensions:alternative:)`` for an unknown extension.
  public init(contentsOfFile path: String, format: CodebookFileFormat? = nil, name: String? = nil) throws {
    let format = try format ?? CodebookFileFormat(path: path)
    let (count, dim, values) = try format == .fvecs ? FVecsFile.read(path) : NPYFile.read(path)
    for row in 0..<count where values[(row * dim)..<((row + 1) * dim)].allSatisfy({ $0 == 0 }) {
      let position = format == .fvecs ? "vector \(row)" : "row \(row)"
      throw HSQError.fileFormat(path: path, position: position, problem: "the codeword is zero; every codeword needs a direction.")
    }
    try self.init(name: name ?? "file:path=\(path)", dim: dim, count: count, rows: values)
  }

  /// Writes the codewords (K rows of D float32 values) to `path`, atomically.
  ///
  /// - Parameter format: the format; `nil` takes it from the extension of `path`.
  /// - Throws: ``HSQError/unknownExtension(path:what:extensions:alternative:)`` for an unknown extension, ``HSQError/fileFormat(path:position:problem:)``
  ///   naming the file when it cannot be written.
  public func write(toFile path: String, format: CodebookFileFormat? = nil) throws {
    switch try format ?? CodebookFileFormat(path: path) {
    case .fvecs: try FVecsFile.write(vectors, count: count, dim: dim, to: path)
    case .npy: try NPYFile.write(vectors, count: count, dim: dim, to: path)
    }
  }
}
