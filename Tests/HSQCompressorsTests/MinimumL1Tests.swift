import Foundation
import HSQCodebooks
import HSQCompressors
import HSQCore
import Testing

/// Minimum-ℓ1 coefficients: the LP solver against brute force and closed forms (THEORY.md §2, §8),
/// and `hsq-unbiased:coefficients=l1` against its exact variance by Monte Carlo.
///
/// LP answers in Double are checked to 1e-9 relative (the solver's optimality tolerance); the
/// Float32 codebooks' cases allow 1e-6, as in ``HSQTheoryTests``.
@Suite struct MinimumL1Tests {
  /// Columns (D×K) normalized to unit length.
  static func unitColumns(_ columns: [[Double]]) -> Matrix {
    var m = Matrix(rows: columns[0].count, columns: columns.count)
    for (k, c) in columns.enumerated() {
      let n = c.reduce(0) { $0 + $1 * $1 }.squareRoot()
      for i in c.indices { m[i, k] = c[i] / n }
    }
    return m
  }

  static func gaussianColumns(dim: Int, count: Int, _ rng: inout RandomStream) -> Matrix {
    unitColumns((0..<count).map { _ in (0..<dim).map { _ in rng.gaussian() } })
  }

  /// 2-D regular c_k = (cos πk/m, sin πk/m).
  static func regular(_ m: Int) -> Matrix {
    unitColumns((0..<m).map { k in [cos(Double.pi * Double(k) / Double(m)), sin(Double.pi * Double(k) / Double(m))] })
  }

  /// The LP optimum by enumerating every basis: min over D-subsets S of ‖C_S⁻¹v‖₁.
  static func bruteForce(_ c: Matrix, _ v: [Double]) -> Double {
    let (d, k) = (c.rows, c.columns)
    var best = Double.infinity
    func visit(_ chosen: [Int], from: Int) {
      guard chosen.count < d else {
        let b = c.submatrixColumns(chosen)
        guard b.smallestSingularValue > 1e-9 else { return }
        best = min(best, b.pseudoInverse().multiply(v).reduce(0) { $0 + abs($1) })
        return
      }
      for j in from..<k { visit(chosen + [j], from: j + 1) }
    }
    visit([], from: 0)
    return best
  }

  /// Checks one solve: Ca = v, at most D non-zeros, optimality certified by the dual bound,
  /// and ‖a‖₁ ≤ ‖C⁺v‖₁. Returns ‖a‖₁.
  @discardableResult
  static func checkSolve(_ c: Matrix, _ v: [Double], _ label: String) throws -> Double {
    let solver = MinimumL1Simplex(columns: c)
    let (a, outcome) = try #require(solver.solve(v), "\(label): no solution")
    let scale = max(v.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-300)
    let residual = zip(c.multiply(a), v).reduce(0) { max($0, abs($1.0 - $1.1)) }
    #expect(residual <= 1e-12 * scale, "\(label): ‖Ca − v‖∞ = \(residual)")
    #expect(a.filter { $0 != 0 }.count <= c.rows, "\(label): more than D non-zeros")
    #expect(abs(a.reduce(0) { $0 + abs($1) } - outcome.norm1) <= 1e-12 * scale, "\(label): norm1 vs a")
    #expect(outcome.isOptimal, "\(label): not optimal after \(outcome.pivots) pivots")
    #expect(outcome.dualBound <= outcome.norm1 * (1 + 1e-12) + 1e-300, "\(label): dual bound above the primal")
    #expect(outcome.norm1 - outcome.dualBound <= 1e-8 * outcome.norm1, "\(label): gap \(outcome.norm1) vs \(outcome.dualBound)")
    let pinv = c.pseudoInverse().multiply(v).reduce(0) { $0 + abs($1) }
    #expect(outcome.norm1 <= pinv * (1 + 1e-9), "\(label): ‖a*‖₁ = \(outcome.norm1) above ‖C⁺v‖₁ = \(pinv)")
    return outcome.norm1
  }

  @Test func optimumMatchesBruteForceOnSmallInstances() throws {
    var rng = RandomStream.derived(from: 5, purpose: "l1-brute-force")
    for trial in 0..<120 {
      // K from D to 8; at least D + 1 where a codeword is duplicated or negated, so C keeps full rank.
      let d = 2 + trial % 3, k = trial % 4 == 0 ? d + rng.int(below: 9 - d) : d + 1 + rng.int(below: 8 - d)
      var c = Self.gaussianColumns(dim: d, count: k, &rng)
      if trial % 4 == 1 { for i in 0..<d { c[i, k - 1] = -c[i, 0] } }  // a ±c pair
      if trial % 4 == 2 { for i in 0..<d { c[i, k - 1] = c[i, 0] } }   // a repeated codeword: ties
      var v = (0..<d).map { _ in rng.gaussian() }
      if trial % 5 == 3 { v = c.column(trial % k).map { 2.5 * $0 } }  // v parallel to a codeword
      let label = "trial \(trial) D=\(d) K=\(k)"
      let norm1 = try Self.checkSolve(c, v, label)
      let best = Self.bruteForce(c, v)
      #expect(abs(norm1 - best) <= 1e-9 * best, "\(label): LP \(norm1), enumeration \(best)")
    }
  }

  @Test func degenerateInputs() throws {
    let pm = Self.unitColumns([[1, 0, 0], [0, 1, 0], [0, 0, 1], [-1, 0, 0], [0, -1, 0], [0, 0, -1]])
    #expect(try Self.checkSolve(pm, [1, 2, 2], "[I3,-I3]") == 5)
    #expect(try Self.checkSolve(pm, [0, -3, 0], "[I3,-I3] axis") == 3)
    let zero = try #require(MinimumL1Simplex(columns: pm).solve([0, 0, 0]))
    #expect(zero.coefficients.allSatisfy { $0 == 0 } && zero.outcome.norm1 == 0)
    let square = Self.regular(4)
    #expect(abs(try Self.checkSolve(square, [1, 1], "on the codeword at 45°") - Double(2).squareRoot()) <= 1e-12)
    #expect(abs(try Self.checkSolve(square, [0, -2], "on a negated codeword") - 2) <= 1e-12)
    // Ties: four codewords on one facet (z = 1/√2) and v its normal, so many bases are optimal, all degenerate.
    let facet = Self.unitColumns([[1, 0, 1], [-1, 0, 1], [0, 1, 1], [0, -1, 1], [1, 0, 0], [0, 1, 0]])
    #expect(abs(try Self.checkSolve(facet, [0, 0, 1], "facet normal") - Double(2).squareRoot()) <= 1e-12)
    #expect(abs(Self.bruteForce(facet, [0, 0, 1]) - Double(2).squareRoot()) <= 1e-12)
    // v parallel to a codeword: ‖a*‖₁ = ‖v‖ (unit codewords lie on the sphere around the polytope).
    var rng = RandomStream.derived(from: 6, purpose: "l1-parallel")
    let c = Self.gaussianColumns(dim: 16, count: 256, &rng)
    #expect(abs(try Self.checkSolve(c, c.column(17).map { -3 * $0 }, "parallel D=16") - 3) <= 1e-9)
    // A rank-deficient C has no solution.
    #expect(MinimumL1Simplex(columns: Self.unitColumns([[1, 0, 0], [0, 1, 0], [1, 1, 0]])).solve([1, 2, 3]) == nil)
  }

  @Test func largerInstancesAreOptimalAndBeatPinv() throws {
    var rng = RandomStream.derived(from: 7, purpose: "l1-larger")
    for (d, k) in [(8, 32), (16, 256), (32, 128)] {
      let c = Self.gaussianColumns(dim: d, count: k, &rng)
      for trial in 0..<4 {
        try Self.checkSolve(c, (0..<d).map { _ in rng.gaussian() }, "D=\(d) K=\(k) trial \(trial)")
      }
    }
  }

  /// ω₁ = tan²(π/2m) for the 2-D m-regular codebook: the largest ‖a*‖₁² − 1 over unit directions,
  /// attained at the facet normal (cos π/2m, sin π/2m) (THEORY.md §2 closed forms).
  @Test(arguments: [3, 4, 5])
  func regularPolygonOmega1(m: Int) throws {
    let c = Self.regular(m), solver = MinimumL1Simplex(columns: c)
    let omega1 = pow(tan(Double.pi / Double(2 * m)), 2)
    var worst = 0.0
    for step in 0..<720 {
      let t = Double.pi * Double(step) / 360
      let norm1 = try #require(solver.solve([cos(t), sin(t)])).outcome.norm1
      worst = max(worst, norm1 * norm1 - 1)
    }
    #expect(worst <= omega1 + 1e-9 && worst >= omega1 - 1e-9, "max over 720 directions \(worst), ω₁ \(omega1)")
  }

  // MARK: - The compressor

  static let triangle = HSQTheoryTests.regular3
  static func l1(_ codebook: Codebook) throws -> HSQUnbiasedCompressor {
    try HSQUnbiasedCompressor(codebook: codebook, coefficients: .l1)
  }

  /// Draws `n` outputs; checks the mean error against `exact` and each coordinate's mean against v
  /// within 5 SE (σ² = `exact` bounds each coordinate's variance), plus 1e-6 for Float32 outputs.
  static func checkMonteCarlo(_ c: any Compressor, _ v: [Float], exact: Double, n: Int, label: String) throws {
    var sums = [Double](repeating: 0, count: v.count)
    var total = 0.0, totalSq = 0.0
    for i in 0..<n {
      var rng = RandomStream.derived(from: 12, purpose: label, i)
      let out = try c.roundTrip(v, rng: &rng).output
      let e = Vec.squaredDistance(out, v)
      total += e; totalSq += e * e
      for j in v.indices { sums[j] += Double(out[j]) }
    }
    let mean = total / Double(n)
    let se = (max(0, totalSq / Double(n) - mean * mean) / Double(n)).squareRoot()
    #expect(abs(mean - exact) <= 5 * se + 1e-6 * exact, "\(label): MC \(mean) ± \(se), exact \(exact)")
    let tolerance = 5 * exact.squareRoot() / Double(n).squareRoot() + 1e-6
    for j in v.indices {
      #expect(abs(sums[j] / Double(n) - Double(v[j])) <= tolerance, "\(label): mean[\(j)] = \(sums[j] / Double(n)), v = \(v[j])")
    }
  }

  @Test func case5RegularTriangle() throws {
    let q = try Self.l1(Self.triangle)
    #expect(q.coefficients == .l1 && q.spec.hasSuffix("coefficients=l1"))
    let onCodeword = try #require(q.expectedError([1, 0]))
    #expect(abs(onCodeword) < 1e-6, "v = (1, 0): \(onCodeword)")
    for i in 0..<20 {
      var rng = RandomStream.derived(from: 9, purpose: "l1-case5", i)
      #expect(Vec.squaredDistance(try q.roundTrip([1, 0], rng: &rng).output, [1, 0]) < 1e-12)
    }
    let v = [Float(cos(Double.pi / 6)), Float(sin(Double.pi / 6))]
    let worst = try #require(q.expectedError(v))
    #expect(abs(worst - 1.0 / 3) < 1e-6, "v at 30°: \(worst), ω₁ = tan²30° = 1/3")
    #expect(worst <= q.omegaUpperBound * Vec.squaredNorm(v) + 1e-6)
    // The pinv rule on the same input is worse: 7/9 at v = (1, 0).
    #expect(abs(try #require(HSQUnbiasedCompressor(codebook: Self.triangle).expectedError([1, 0])) - 7.0 / 9) < 1e-6)
    try Self.checkMonteCarlo(q, v, exact: worst, n: 4000, label: "l1-case5-30deg")
  }

  @Test func identityAndPlusMinusIdentityMatchPinv() throws {
    let i4 = try Self.l1(HSQTheoryTests.i4)
    #expect(i4.expectedError([3, -1, 0, 2]) == 22)
    #expect(i4.expectedError([1, 1, 1, 1]) == 12)
    try Self.checkMonteCarlo(i4, [3, -1, 0, 2], exact: 22, n: 4000, label: "l1-I4")
    let pm = try Self.l1(HSQTheoryTests.pmI3)
    #expect(pm.expectedError([1, 2, 2]) == 16)
    try Self.checkMonteCarlo(pm, [1, 2, 2], exact: 16, n: 4000, label: "l1-pmI3")
  }

  @Test func gaussianCodebookWithPadding() throws {
    let q = try Compressors.make("hsq-unbiased:dim=4,k=16,codebook=gaussian,coefficients=l1")
    let pinv = try Compressors.make("hsq-unbiased:dim=4,k=16,codebook=gaussian")
    var rng = RandomStream.derived(from: 10, purpose: "l1-gaussian-vector")
    let v = (0..<10).map { _ in Float(rng.gaussian()) }  // M = 3, the last sub-vector padded
    let exact = try #require(q.expectedError(v))
    let worse = try #require(pinv.expectedError(v))
    #expect(exact <= worse * (1 + 1e-9), "ℓ1 \(exact) above pinv \(worse)")
    guard case let .unbiased(omega) = q.guarantee(length: 10), case let .unbiased(omega2) = pinv.guarantee(length: 10) else {
      Issue.record("not an unbiased guarantee")
      return
    }
    #expect(omega <= omega2 && exact <= omega * Vec.squaredNorm(v))
    try Self.checkMonteCarlo(q, v, exact: exact, n: 6000, label: "l1-gaussian-padded")
  }

  @Test func parameterDefaultsToPinv() throws {
    #expect(try Compressors.make("hsq-unbiased:dim=4,k=8").spec.contains("coefficients=pinv"))
    #expect(throws: HSQError.self) { try Compressors.make("hsq-unbiased:coefficients=l2") }
    #expect(try Compressors.make("hsq-residual:dim=4,k=8").bits(length: 9) != nil)
  }
}

extension Matrix {
  /// The columns `indices` of this matrix.
  fileprivate func submatrixColumns(_ indices: [Int]) -> Matrix {
    var s = Matrix(rows: rows, columns: indices.count)
    for (j, k) in indices.enumerated() { for i in 0..<rows { s[i, j] = self[i, k] } }
    return s
  }
}
