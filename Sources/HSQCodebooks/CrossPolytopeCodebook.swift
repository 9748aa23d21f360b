import HSQCore

/// The cross-polytope: the 2D signed standard basis vectors ±e_i (K = 2D).
///
/// ```
/// c_i = e_i,   c_{D+i} = −e_i,   i = 0 … D−1      (C = [I_D, −I_D])
/// ```
///
/// The vertices of vqSGD's cross-polytope (Gandikota et al. 2021). With
/// HSQ's |⟨c, v⟩| the second half repeats the first up to sign; it matters
/// for the unbiased variant, where C⁺ = Cᵀ/2. No randomness: the seed is
/// accepted, like every construction's, and ignored.
///
/// **Properties**
/// - K = 2D, σ_min(C) = √2, C⁺ = Cᵀ/2;
/// - δ(C) = 1/D, ω₂(C) = D − 1 (as for I_D; THEORY.md §8 case 4).
public enum CrossPolytopeCodebook: CodebookConstruction {
  public static let info = ComponentInfo(
    kind: .codebook, name: "cross-polytope",
    parameters: Codebooks.commonParameters(dim: 16, k: 32))

  public static func make(_ parameters: ParameterValues) throws -> Codebook {
    let dim = parameters.int("dim"), k = parameters.int("k")
    guard k == 2 * dim else {
      throw HSQError.constraint(
        subject: "Codebook 'cross-polytope'", rule: "holds ±e_i, so it needs k = 2·dim", given: "dim=\(dim), k=\(k)",
        fix: "Write 'cross-polytope:dim=\(dim),k=\(2 * dim)'")
    }
    try Codebooks.requireSize(dim: dim, k: k, construction: info.name)
    var rows = [Float](repeating: 0, count: dim * k)
    for i in 0..<dim {
      rows[i * dim + i] = 1
      rows[(dim + i) * dim + i] = -1
    }
    return try Codebook(name: parameters.canonical, dim: dim, count: k, rows: rows)
  }
}
