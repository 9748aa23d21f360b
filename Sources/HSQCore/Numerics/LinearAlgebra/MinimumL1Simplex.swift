/// Minimum-ℓ1 coefficients a* = argmin{‖a‖₁ : Ca = v} over fixed columns, by a dense primal simplex.
///
/// ```
/// primal:  min Σₖ|aₖ|  s.t.  Ca = v     ⇔   min 1ᵀx  s.t.  [C, −C]x = v, x ≥ 0   (a = x⁺ − x⁻)
/// dual:    max ⟨v, y⟩  s.t.  |⟨cₖ, y⟩| ≤ 1 for every k
/// ```
///
/// The optimum is the gauge of conv(±cₖ) at v (THEORY.md §2); `hsq-unbiased:coefficients=l1`
/// solves one LP per sub-vector. C is D×K with full row rank and columns of norm about 1
/// (codewords), for which the tolerances below are absolute; quantities that scale with v
/// are compared relative to ‖v‖. The problem is homogeneous, so v is not rescaled and
/// C = I returns v itself, exactly.
///
/// **Method.** Revised primal simplex on the standard form, with the D×D basis inverse kept
/// explicitly (``MinimumL1Basis``):
/// - *start*, no phase 1: D columns chosen like orthogonal matching pursuit, each signed like
///   its coefficient, so x = |B⁻¹v| is feasible;
/// - *pricing* (Dantzig): the non-basic column with the largest |⟨cₖ, y⟩| > 1 + ``optimalityTolerance``
///   enters, signed like ⟨cₖ, y⟩ (its reduced cost is 1 − |⟨cₖ, y⟩|);
/// - *ratio test*, long step (as Barrodale–Roberts for ℓ1 regression): a = x⁺ − x⁻ is free with
///   cost |a|, so the step runs on past basic values that reach zero (they change sign, the
///   slope 1 − |⟨cₖ, y⟩| rising by 2αᵢ at each) and stops where the slope turns non-negative;
///   there, Harris's rule takes the largest pivot among the rows whose breakpoints lie within
///   ``feasibilityTolerance``·‖v‖ of the stop; entries below ``pivotTolerance`` never pivot;
/// - *anti-cycling*: after D degenerate pivots in a row (step ≤ 1e-12·‖v‖), Bland's rule (the
///   lowest-index eligible column enters, the lowest-index tied row leaves, textbook ratio
///   test) until a pivot makes progress; Bland's rule cannot cycle in exact arithmetic, and
///   ``pivotLimit`` bounds the rest;
/// - *stability*: B⁻¹ is recomputed every 32 pivots and always before optimality is declared;
///   a value below −``feasibilityTolerance``·‖v‖ then flips its column's sign.
///
/// The answer comes from a fresh factorization, x = B⁻¹v, so Ca = v to rounding (about
/// 1e-16·cond(B)·‖v‖) whatever the path clamped. At a declared optimum every |⟨cₖ, y⟩| ≤ 1 + 1e-9,
/// so y/(1 + 1e-9) is dual feasible and ‖a‖₁ is within a relative 1e-9 of the optimum, plus
/// 2D·1e-9·‖v‖ for values rounding left in (−1e-9·‖v‖, 0); ``Outcome/dualBound`` is the
/// certified lower bound (measured gaps are ~1e-14 relative).
///
/// **Cost** per solve: the start K·D², each pivot K·D (pricing) + 3D², a refactorization D³
/// every 32 pivots; typically 1–6·D pivots. Measured (release, one core, Gaussian codebooks and
/// v): D = 4, K = 16: 2 µs (3 pivots); D = 16, K = 256: 0.1 ms (33 pivots, a third of it the
/// start); D = 32, K = 1024: 1.3 ms (106); D = 64, K = 4096: 28 ms (347). Degenerate v (on a
/// codeword, on ±eᵢ of a codebook holding ±I) take up to ~200 mostly degenerate pivots at
/// D = 16, K = 256, ~0.3 ms.
public struct MinimumL1Simplex: Sendable {
  /// What a solve reached.
  public struct Outcome: Sendable, Hashable {
    /// ‖a‖₁.
    public var norm1: Double
    /// ⟨v, y⟩ / max(1, maxₖ|⟨cₖ, y⟩|) at the final duals y: a lower bound on the optimum (weak duality).
    public var dualBound: Double
    /// Simplex pivots taken.
    public var pivots: Int
    /// Whether optimality was verified; `false` at the pivot limit or when rounding leaves no blocking row
    /// after a fresh factorization. Either way a is a vertex with Ca = v to rounding.
    public var isOptimal: Bool
  }

  /// Reduced costs above −1e-9 count as optimal: relative sub-optimality at most 1e-9.
  public static let optimalityTolerance = 1e-9
  /// Basic values down to −1e-9·‖v‖ count as feasible (Harris's band; far above rounding, ~1e-16·cond(B)).
  public static let feasibilityTolerance = 1e-9
  /// Entries of B⁻¹cₖ below 1e-9 never pivot (the columns have unit norm, so real pivots are O(1/cond(B))).
  public static let pivotTolerance = 1e-9

  /// D, the length of v.
  public let dim: Int
  /// K, the number of columns.
  public let count: Int
  /// cₖ contiguous: K×D row-major.
  let columns: [Double]

  /// 50·D + 2·K pivots, far above the 1–6·D a solve takes.
  public var pivotLimit: Int { 50 * dim + 2 * count }

  /// A solver for the columns of `matrix` (D×K, codewords as columns, as in THEORY.md).
  public init(columns matrix: Matrix) {
    dim = matrix.rows
    count = matrix.columns
    columns = matrix.transposed.storage
  }

  /// A solver for K rows of D values (a codebook's layout).
  public init(rows: [Float], dim: Int, count: Int) {
    precondition(rows.count == dim * count && dim >= 1, "\(rows.count) values are not K·D = \(count)·\(dim)")
    self.dim = dim
    self.count = count
    columns = rows.map(Double.init)
  }

  /// a* for `v` (D entries); `nil` when the columns do not span R^D.
  public func solve(_ v: [Double]) -> (coefficients: [Double], outcome: Outcome)? {
    precondition(v.count == dim, "v has \(v.count) entries, not D = \(dim)")
    var a = [Double](repeating: 0, count: count)
    let outcome = v.withUnsafeBufferPointer { vp in
      a.withUnsafeMutableBufferPointer { solve(vp.baseAddress!, into: $0.baseAddress!) }
    }
    return outcome.map { (a, $0) }
  }

  /// a* for the D values at `v`, written to the K values at `a`; `nil` when the columns do not span R^D.
  ///
  /// The pivot loop stays in one piece: its state (the basis, the fresh/Bland/degenerate-run flags,
  /// the counts since the last factorization) changes together at each pivot, and the pricing, the
  /// ratio tests, the pivot and the final bound are already their own functions.
  public func solve(_ v: UnsafePointer<Double>, into a: UnsafeMutablePointer<Double>) -> Outcome? {
    let d = dim
    a.update(repeating: 0, count: count)
    let scale = (0..<d).reduce(0.0) { $0 + v[$1] * v[$1] }.squareRoot()
    guard scale > 0 else { return Outcome(norm1: 0, dualBound: 0, pivots: 0, isOptimal: true) }
    return columns.withUnsafeBufferPointer { cb -> Outcome? in
      let c = cb.baseAddress!
      guard let start = MinimumL1Basis.start(columns: c, dim: d, count: count, v: v) else { return nil }
      var basis = MinimumL1Basis(members: start, dim: d)
      let band = Self.feasibilityTolerance * scale
      guard basis.factorize(columns: c, v: v, flipBelow: 0) else { return nil }
      var inBasis = [Bool](repeating: false, count: count)
      for m in start { inBasis[m] = true }
      var y = [Double](repeating: 0, count: d), alpha = y
      var pivots = 0, sinceFactorization = 0, degenerateRun = 0
      var bland = false, fresh = true, optimal = false
      while true {
        basis.duals(into: &y)
        let (enter, t) = price(c, y, inBasis, firstEligible: bland)
        var row = -1
        if enter >= 0 {
          guard pivots < pivotLimit else { break }
          basis.direction(column: enter, sign: t < 0 ? -1 : 1, columns: c, into: &alpha)
          row = bland
            ? Self.blandRow(basis, alpha, ties: 1e-12 * scale)
            : Self.longStepRow(basis.values, alpha, slope: 1 - Swift.abs(t), band: band)
        }
        if row < 0 {
          // Optimal, or (no blocking row: impossible in exact arithmetic, as 1ᵀx ≥ 0) rounding:
          // decide only on a fresh factorization.
          if fresh { optimal = enter < 0; break }
          guard basis.factorize(columns: c, v: v, flipBelow: band) else { return nil }
          (fresh, sinceFactorization) = (true, 0)
          continue
        }
        let theta = Swift.max(0, basis.values[row]) / alpha[row]
        inBasis[basis.members[row]] = false
        basis.pivot(row: row, column: enter, sign: t < 0 ? -1 : 1, alpha: alpha, theta: theta, band: band)
        inBasis[enter] = true
        pivots += 1
        sinceFactorization += 1
        fresh = false
        if theta > 1e-12 * scale {
          (degenerateRun, bland) = (0, false)
        } else {
          degenerateRun += 1
          bland = bland || degenerateRun >= d
        }
        if sinceFactorization >= 32 {
          guard basis.factorize(columns: c, v: v, flipBelow: band) else { return nil }
          (fresh, sinceFactorization) = (true, 0)
        }
      }
      if !fresh { guard basis.factorize(columns: c, v: v, flipBelow: band) else { return nil } }
      return finish(basis, columns: c, v: v, into: a, pivots: pivots, isOptimal: optimal)
    }
  }

  /// Writes the final basis's a* to `a` and bounds its optimality by duality: ‖a*‖₁ against
  /// ⟨v, y⟩ / max_k |⟨cₖ, y⟩|, which no feasible a can beat.
  private func finish(
    _ basis: MinimumL1Basis, columns c: UnsafePointer<Double>, v: UnsafePointer<Double>, into a: UnsafeMutablePointer<Double>,
    pivots: Int, isOptimal: Bool
  ) -> Outcome {
    let d = dim
    var norm1 = 0.0
    for j in 0..<d {
      a[basis.members[j]] = basis.signs[j] * basis.values[j]
      norm1 += Swift.abs(basis.values[j])
    }
    var y = [Double](repeating: 0, count: d)
    basis.duals(into: &y)
    var worst = 1.0
    y.withUnsafeBufferPointer { yp in
      for k in 0..<count { worst = Swift.max(worst, Swift.abs(MinimumL1Basis.dot(c + k * d, yp.baseAddress!, d))) }
    }
    let vy = (0..<d).reduce(0.0) { $0 + v[$1] * y[$1] }
    return Outcome(norm1: norm1, dualBound: vy / worst, pivots: pivots, isOptimal: isOptimal)
  }

  /// The entering column and its ⟨cₖ, y⟩: the largest |⟨cₖ, y⟩| above 1 + tolerance (Dantzig), or
  /// the first such k (Bland); −1 when none.
  private func price(_ c: UnsafePointer<Double>, _ y: [Double], _ inBasis: [Bool], firstEligible: Bool) -> (Int, Double) {
    var enter = -1, t = 0.0, threshold = 1 + Self.optimalityTolerance
    let d = dim
    y.withUnsafeBufferPointer { yb in
      inBasis.withUnsafeBufferPointer { basic in
        let yp = yb.baseAddress!
        for k in 0..<count where !basic[k] {
          let s = MinimumL1Basis.dot(c + k * d, yp, d)
          guard Swift.abs(s) > threshold else { continue }
          (enter, t) = (k, s)
          if firstEligible { break }
          threshold = Swift.abs(s)
        }
      }
    }
    return (enter, t)
  }

  /// The long-step ratio test: f(θ) = θ + Σᵢ|xᵢ − θαᵢ| has slope `slope` = 1 − |⟨cₖ, y⟩| < 0 at 0,
  /// rising by 2αᵢ at each breakpoint xᵢ/αᵢ (αᵢ > 0); the step stops at the breakpoint where the
  /// slope turns ≥ 0, and the row leaving is the largest αᵢ among breakpoints within `band`/αᵢ of it.
  /// −1 when no αᵢ > ``pivotTolerance`` (impossible in exact arithmetic: the slope must turn).
  static func longStepRow(_ x: [Double], _ alpha: [Double], slope: Double, band: Double) -> Int {
    var breakpoints: [(ratio: Double, row: Int)] = []
    for i in x.indices where alpha[i] > pivotTolerance { breakpoints.append((Swift.max(x[i], 0) / alpha[i], i)) }
    guard !breakpoints.isEmpty else { return -1 }
    breakpoints.sort { $0.ratio < $1.ratio || ($0.ratio == $1.ratio && $0.row < $1.row) }
    var slope = slope, stop = breakpoints.count - 1
    for (n, b) in breakpoints.enumerated() {
      slope += 2 * alpha[b.row]
      if slope >= 0 { stop = n; break }
    }
    let target = breakpoints[stop].ratio
    var row = breakpoints[stop].row
    for b in breakpoints where Swift.abs(b.ratio - target) * alpha[b.row] <= band && alpha[b.row] > alpha[row] { row = b.row }
    return row
  }

  /// The textbook ratio test, ties (within `ties`) broken by the lowest variable index 2k (+1 for −cₖ).
  static func blandRow(_ basis: MinimumL1Basis, _ alpha: [Double], ties: Double) -> Int {
    var smallest = Double.infinity
    for i in alpha.indices where alpha[i] > pivotTolerance {
      smallest = Swift.min(smallest, Swift.max(basis.values[i], 0) / alpha[i])
    }
    var row = -1, lowest = Int.max
    for i in alpha.indices where alpha[i] > pivotTolerance && Swift.max(basis.values[i], 0) / alpha[i] <= smallest + ties {
      let index = 2 * basis.members[i] + (basis.signs[i] < 0 ? 1 : 0)
      if index < lowest { (row, lowest) = (i, index) }
    }
    return row
  }
}
