import HSQCore

/// The randomized Hadamard basis as a dense codebook (D a power of two, K = D).
///
/// ```
/// C = H diag(s) / √D,   H Sylvester (H_ik = (−1)^popcount(i & k)),   s_k = ±1 from the seed
/// ```
///
/// Codeword k is column k of `C`, built by ``RandomizedHadamardBasis`` with
/// the same seed, so this dense form and the structured one agree. Use the
/// dense form for small D (sub-vector quantization); use
/// ``RandomizedHadamardBasis`` directly when one codeword covers a whole
/// gradient (D = d up to 2^24), where a d×d matrix cannot be stored.
///
/// **Properties**
/// - K = D, orthonormal: δ(C) = 1/D, ω₂(C) = D − 1 (THEORY.md §2, §3);
/// - C = H₄/2 (all signs +) is THEORY.md §8 case 3.
public enum HadamardCodebook: CodebookConstruction {
  /// The largest D built densely (D² Floats); beyond it use ``RandomizedHadamardBasis``.
  public static let maximumDimension = 8192

  public static let info = ComponentInfo(
    kind: .codebook, name: "hadamard",
    parameters: Codebooks.commonParameters(dim: 16, k: 16))

  public static func make(_ parameters: ParameterValues) throws -> Codebook {
    let dim = parameters.int("dim"), k = parameters.int("k"), seed = parameters.int("seed")
    guard Codebooks.isPowerOfTwo(dim) else {
      let below = dim > 1 ? 1 << (Int.bitWidth - 1 - (dim - 1).leadingZeroBitCount) : 1
      throw HSQError.constraint(
        subject: "Codebook 'hadamard'", rule: "needs dim to be a power of two", given: "dim=\(dim)",
        fix: "Use dim=\(below) or dim=\(below * 2) (with k equal to it), or 'orthogonal' for any D")
    }
    guard k == dim else {
      throw HSQError.constraint(
        subject: "Codebook 'hadamard'", rule: "is a basis, so it needs k = dim", given: "dim=\(dim), k=\(k)", fix: "Write 'hadamard:dim=\(dim),k=\(dim)'")
    }
    guard dim <= maximumDimension else {
      throw HSQError.constraint(
        subject: "Codebook 'hadamard'", rule: "stores its D×D matrix densely, so it allows dim ≤ \(maximumDimension)", given: "dim=\(dim)",
        fix: "Use RandomizedHadamardBasis (O(d log d), no matrix) for large D")
    }
    let basis = try RandomizedHadamardBasis(dimension: dim, seed: UInt64(seed))
    var rows = [Float]()
    rows.reserveCapacity(dim * dim)
    for c in 0..<dim { rows.append(contentsOf: basis.codeword(c)) }
    return try Codebook(name: parameters.canonical, dim: dim, count: k, rows: rows)
  }
}
