import HSQCore

/// A random orthonormal basis of R^D (K = D), Haar-distributed on the orthogonal group.
///
/// ```
/// G ~ N(0, 1)^{D×D},   G = Q R  (Householder),   Q ← Q · diag(sign(R_kk)),   c_k = Q e_k
/// ```
///
/// The sign fix makes `diag(R)` positive; without it Q is not Haar
/// (Mezzadri 2007). This is what the authors' code uses when K = D
/// (`scipy.stats.ortho_group`). Draws come from the stream
/// `derived(from: seed, purpose: "codebook-orthogonal", D, D)`.
///
/// **Properties**
/// - K = D, codewords orthonormal, C⁺ = Cᵀ;
/// - δ(C) = 1/D (worst at v ∝ Σ_k c_k), ω₂(C) = D − 1 exactly (THEORY.md §2, §3);
/// - mean cos²θ ≈ 0.432 for D = 8.
public enum OrthogonalCodebook: CodebookConstruction {
  /// The largest D built (a D×D QR in Double); beyond it use `hadamard`.
  public static let maximumDimension = 4096

  public static let info = ComponentInfo(
    kind: .codebook, name: "orthogonal",
    parameters: Codebooks.commonParameters(dim: 16, k: 16))

  public static func make(_ parameters: ParameterValues) throws -> Codebook {
    let dim = parameters.int("dim"), k = parameters.int("k"), seed = parameters.int("seed")
    guard k == dim else {
      throw HSQError.constraint(
        subject: "Codebook 'orthogonal'", rule: "is a basis, so it needs k = dim", given: "dim=\(dim), k=\(k)",
        fix: "Write 'orthogonal:dim=\(dim),k=\(dim)', or use 'gaussian' or 'kmeans' for K ≠ D")
    }
    guard dim <= maximumDimension else {
      throw HSQError.constraint(
        subject: "Codebook 'orthogonal'", rule: "builds a dense D×D QR, so it allows dim ≤ \(maximumDimension)", given: "dim=\(dim)",
        fix: "Use 'hadamard:dim=\(dim),k=\(dim)' (a structured orthonormal basis) for large D")
    }
    var rng = RandomStream.derived(from: UInt64(seed), purpose: "codebook-orthogonal", dim, k)
    let q = Matrix.randomOrthogonal(dim, &rng)
    var rows = [Float](repeating: 0, count: dim * dim)
    for c in 0..<dim { for j in 0..<dim { rows[c * dim + j] = Float(q[j, c]) } }
    return try Codebook(name: parameters.canonical, dim: dim, count: k, rows: rows)
  }
}
