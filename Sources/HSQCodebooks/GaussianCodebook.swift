import HSQCore

/// Normalized Gaussian rows: K codewords drawn independently and uniformly from the unit sphere of R^D.
///
/// ```
/// c_k = g_k / ‖g_k‖,   g_k ~ N(0, I_D) i.i.d.   (uniform on S^{D−1})
/// ```
///
/// The simplest codebook with no structure to exploit. Draws come from the
/// stream `derived(from: seed, purpose: "codebook-gaussian", D, K)`
/// (xoshiro256**, Box–Muller), so the same parameters give the same
/// codebook on every machine.
///
/// **Properties**
/// - full row rank with probability one when K ≥ D;
/// - δ(C) ≈ 0.093 and ω₂(C) ≈ 16.8 for D = 8, K = 32 (THEORY.md §3);
/// - unstructured: nearest-codeword search costs K·D per sub-vector.
public enum GaussianCodebook: CodebookConstruction {
  public static let info = ComponentInfo(
    kind: .codebook, name: "gaussian",
    parameters: Codebooks.commonParameters())

  public static func make(_ parameters: ParameterValues) throws -> Codebook {
    let dim = parameters.int("dim"), k = parameters.int("k"), seed = parameters.int("seed")
    try Codebooks.requireSize(dim: dim, k: k, construction: info.name)
    var rng = RandomStream.derived(from: UInt64(seed), purpose: "codebook-gaussian", dim, k)
    var rows = [Float](repeating: 0, count: dim * k)
    for row in 0..<k {
      // Redraw the (practically impossible) row that rounds to zero in Float.
      repeat {
        for j in 0..<dim { rows[row * dim + j] = Float(rng.gaussian()) }
      } while rows[(row * dim)..<((row + 1) * dim)].allSatisfy { $0 == 0 }
    }
    return try Codebook(name: parameters.canonical, dim: dim, count: k, rows: rows)
  }
}
