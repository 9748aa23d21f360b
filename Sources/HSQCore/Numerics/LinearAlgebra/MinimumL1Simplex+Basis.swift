/// The simplex basis of ``MinimumL1Simplex``: D signed columns, the inverse of their matrix, and their values.
///
/// ```
/// B = [s₀c_{m₀}, …, s_{D−1}c_{m_{D−1}}]     (one sign per member; c and −c are never both basic)
/// x = B⁻¹v ≥ 0                              a_{mⱼ} = sⱼxⱼ, ‖a‖₁ = Σⱼ xⱼ
/// y = B⁻ᵀ1                                  duals: sⱼ⟨c_{mⱼ}, y⟩ = 1 on the basis
/// ```
///
/// Flipping sⱼ negates xⱼ and row j of B⁻¹, so every nonsingular choice of D
/// columns is a feasible basis once each takes the sign of its coefficient:
/// the solver needs no phase 1, and rounding that drives a value below zero is
/// repaired by a flip instead of a restart.
struct MinimumL1Basis {
  let dim: Int
  /// The column index of each basic variable (row j of ``inverse`` belongs to member j).
  var members: [Int]
  /// ±1 per member.
  var signs: [Double]
  /// B⁻¹, D×D row-major.
  var inverse: [Double]
  /// x = B⁻¹v, kept up to date by ``pivot(row:column:sign:alpha:theta:band:)``.
  var values: [Double]

  init(members: [Int], dim: Int) {
    self.dim = dim
    self.members = members
    signs = [Double](repeating: 1, count: dim)
    inverse = [Double](repeating: 0, count: dim * dim)
    values = [Double](repeating: 0, count: dim)
  }

  /// Recomputes B⁻¹ (Gauss–Jordan, partial pivoting) and x = B⁻¹v; flips members whose value is below
  /// `-flipBelow`. Returns `false` when B is singular (a pivot below 1e-12; the columns have unit norm).
  mutating func factorize(columns c: UnsafePointer<Double>, v: UnsafePointer<Double>, flipBelow: Double) -> Bool {
    let d = dim
    var m = [Double](repeating: 0, count: d * d)
    for j in 0..<d {
      for i in 0..<d { m[i * d + j] = signs[j] * c[members[j] * d + i] }
    }
    for i in 0..<(d * d) { inverse[i] = 0 }
    for i in 0..<d { inverse[i * d + i] = 1 }
    for col in 0..<d {
      var p = col
      for i in (col + 1)..<d where Swift.abs(m[i * d + col]) > Swift.abs(m[p * d + col]) { p = i }
      let pivot = m[p * d + col]
      guard Swift.abs(pivot) > 1e-12 else { return false }
      if p != col {
        for j in 0..<d {
          m.swapAt(p * d + j, col * d + j)
          inverse.swapAt(p * d + j, col * d + j)
        }
      }
      let scale = 1 / pivot
      for j in 0..<d { m[col * d + j] *= scale; inverse[col * d + j] *= scale }
      for i in 0..<d where i != col {
        let f = m[i * d + col]
        guard f != 0 else { continue }
        for j in 0..<d { m[i * d + j] -= f * m[col * d + j]; inverse[i * d + j] -= f * inverse[col * d + j] }
      }
    }
    for i in 0..<d {
      var s = 0.0
      for j in 0..<d { s += inverse[i * d + j] * v[j] }
      values[i] = s
    }
    for j in 0..<d where values[j] < -flipBelow { flip(j) }
    return true
  }

  /// Negates member j: its sign, its value and its row of B⁻¹.
  mutating func flip(_ j: Int) {
    signs[j] = -signs[j]
    values[j] = -values[j]
    for i in 0..<dim { inverse[j * dim + i] = -inverse[j * dim + i] }
  }

  /// y = B⁻ᵀ1, the column sums of B⁻¹.
  func duals(into y: inout [Double]) {
    for i in 0..<dim { y[i] = 0 }
    for j in 0..<dim { for i in 0..<dim { y[i] += inverse[j * dim + i] } }
  }

  /// α = B⁻¹(s·c_k).
  func direction(column k: Int, sign s: Double, columns c: UnsafePointer<Double>, into alpha: inout [Double]) {
    for i in 0..<dim {
      var t = 0.0
      for j in 0..<dim { t += inverse[i * dim + j] * c[k * dim + j] }
      alpha[i] = s * t
    }
  }

  /// Replaces member r by s·c_k, which enters at value θ. Values that end below −`band` are of members
  /// the long step carried through zero: they flip sign. Those in (−`band`, 0), rounding or Harris's
  /// band, are set to zero, which the next ``factorize(columns:v:flipBelow:)`` undoes.
  mutating func pivot(row r: Int, column k: Int, sign s: Double, alpha: [Double], theta: Double, band: Double) {
    let d = dim
    let scale = 1 / alpha[r]
    for j in 0..<d { inverse[r * d + j] *= scale }
    for i in 0..<d where i != r && alpha[i] != 0 {
      let f = alpha[i]
      for j in 0..<d { inverse[i * d + j] -= f * inverse[r * d + j] }
      values[i] -= theta * f
    }
    values[r] = theta
    members[r] = k
    signs[r] = s
    for i in 0..<d where values[i] < 0 {
      if values[i] < -band { flip(i) } else { values[i] = 0 }
    }
  }

  /// ⟨a, b⟩ over n entries with four accumulators, so the sums do not wait on each other.
  @inline(__always)
  static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
    var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
    var j = 0
    while j + 4 <= n {
      s0 += a[j] * b[j]; s1 += a[j + 1] * b[j + 1]; s2 += a[j + 2] * b[j + 2]; s3 += a[j + 3] * b[j + 3]
      j += 4
    }
    while j < n { s0 += a[j] * b[j]; j += 1 }
    return (s0 + s1) + (s2 + s3)
  }

  /// D columns that span R^D, chosen like orthogonal matching pursuit: the column most correlated
  /// with the residual of v, among those at least sin⁻¹(0.1) ≈ 5.7° out of the span chosen so far
  /// (so B is well conditioned); once v is spanned, the column farthest out of the span.
  /// `nil` when the columns do not span R^D (no column left 1e-6 out of the span). Cost K·D².
  static func start(columns c: UnsafePointer<Double>, dim d: Int, count: Int, v: UnsafePointer<Double>) -> [Int]? {
    var residual = (0..<d).map { v[$0] }
    let scale = residual.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let norms = (0..<count).map { k in (0..<d).reduce(0.0) { $0 + c[k * d + $1] * c[k * d + $1] } }
    var outside = norms  // ‖c_k projected off the span chosen so far‖²
    var correlation = (0..<count).map { dot(c + $0 * d, v, d) }
    var chosen: [Int] = [], used = [Bool](repeating: false, count: count)
    var q = [Double](repeating: 0, count: d * d)  // orthonormal rows spanning the chosen columns
    for step in 0..<d {
      guard let best = nextColumn(correlation: correlation, outside: outside, norms: norms, used: used, floor: 1e-9 * scale) else {
        return nil
      }
      // q_step = c_best with the span projected out, twice for orthogonality (Gram–Schmidt, reorthogonalized).
      var u = (0..<d).map { c[best * d + $0] }
      for _ in 0..<2 {
        for i in 0..<step {
          let dot = (0..<d).reduce(0.0) { $0 + q[i * d + $1] * u[$1] }
          for j in 0..<d { u[j] -= dot * q[i * d + j] }
        }
      }
      let norm = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
      guard norm > 1e-6 else { return nil }
      for j in 0..<d { q[step * d + j] = u[j] / norm }
      let rho = (0..<d).reduce(0.0) { $0 + q[step * d + $1] * residual[$1] }
      for j in 0..<d { residual[j] -= rho * q[step * d + j] }
      q.withUnsafeBufferPointer { qb in
        let qs = qb.baseAddress! + step * d
        for k in 0..<count {
          let p = dot(c + k * d, qs, d)
          outside[k] -= p * p
          correlation[k] -= rho * p
        }
      }
      chosen.append(best)
      used[best] = true
    }
    return chosen
  }

  /// The column ``start(columns:dim:count:v:)`` takes next: the unused one most correlated with the residual
  /// (above `floor`) among those at least 0.01·‖cₖ‖² out of the span, else the one farthest out of it;
  /// `nil` when every unused column lies in the span.
  private static func nextColumn(correlation: [Double], outside: [Double], norms: [Double], used: [Bool], floor: Double) -> Int? {
    var best = -1, bestScore = floor
    for k in correlation.indices where !used[k] && outside[k] >= 0.01 * norms[k] && Swift.abs(correlation[k]) > bestScore {
      best = k
      bestScore = Swift.abs(correlation[k])
    }
    if best < 0 {
      var farthest = 1e-12
      for k in correlation.indices where !used[k] && outside[k] > farthest * norms[k] { best = k; farthest = outside[k] / norms[k] }
    }
    return best >= 0 ? best : nil
  }
}
