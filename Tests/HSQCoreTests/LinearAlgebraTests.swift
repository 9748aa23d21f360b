import Foundation
import HSQCore
import Testing

/// A seeded Gaussian matrix; `label` keeps streams of different tests apart.
private func gaussianMatrix(_ rows: Int, _ columns: Int, label: Int) -> Matrix {
  var rng = RandomStream.derived(from: 2024, purpose: "linear-algebra-test", label, rows, columns)
  return Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { _ in rng.gaussian() })
}

/// max |Mᵀ M − I|.
private func orthonormalityError(_ m: Matrix) -> Double {
  (m.transposeMultiply(m) - .identity(m.columns)).maxAbsEntry
}

private func diagonal(_ values: [Double]) -> Matrix {
  var d = Matrix(rows: values.count, columns: values.count)
  for (i, v) in values.enumerated() { d[i, i] = v }
  return d
}

private let shapes: [(Int, Int)] = [(7, 4), (6, 6), (3, 5), (1, 4), (4, 1), (33, 17)]

@Suite("Matrix arithmetic")
struct MatrixArithmeticTests {
  @Test func productsAgreeWithTheDefinition() {
    let a = gaussianMatrix(5, 3, label: 1), b = gaussianMatrix(3, 4, label: 2)
    let c = a * b
    for i in 0..<5 {
      for j in 0..<4 {
        var s = 0.0
        for k in 0..<3 { s += a[i, k] * b[k, j] }
        #expect(abs(c[i, j] - s) <= 1e-14)
      }
    }
    let d = gaussianMatrix(5, 4, label: 3)
    #expect((a.transposeMultiply(d) - a.transposed * d).maxAbsEntry <= 1e-14)
    #expect((d.multiplyTransposed(b) - d * b.transposed).maxAbsEntry <= 1e-14)
    #expect((b.transposed.multiplyTransposed(a) - b.transposed * a.transposed).maxAbsEntry <= 1e-14)
    let x = [1.0, -2.0, 0.5]
    let ax = a.multiply(x)
    let axMatrix = a * Matrix(rows: 3, columns: 1, storage: x)
    for i in 0..<5 { #expect(abs(ax[i] - axMatrix[i, 0]) <= 1e-14) }
    let y = [0.25, 1, -1, 2, 3]
    let aty = a.transposeMultiply(y)
    let atyMatrix = a.transposed * Matrix(rows: 5, columns: 1, storage: y)
    for j in 0..<3 { #expect(abs(aty[j] - atyMatrix[j, 0]) <= 1e-14) }
  }

  @Test func sumsScalingAndNorms() {
    let a = Matrix(rows: 2, columns: 2, storage: [1, 2, 3, 4])
    let b = Matrix(rows: 2, columns: 2, storage: [4, 3, 2, 1])
    #expect((a + b).storage == [5, 5, 5, 5])
    #expect((a - b).storage == [-3, -1, 1, 3])
    #expect((2 * a).storage == [2, 4, 6, 8])
    #expect(a.scaled(by: -1).storage == [-1, -2, -3, -4])
    #expect(Matrix(rows: 1, columns: 2, storage: [3, 4]).frobeniusNorm == 5)
    // Scaling keeps huge and tiny entries from overflowing or underflowing.
    #expect(abs(Matrix(rows: 1, columns: 2, storage: [3e200, 4e200]).frobeniusNorm / 5e200 - 1) <= 1e-15)
    #expect(abs(Matrix(rows: 1, columns: 2, storage: [3e-200, 4e-200]).frobeniusNorm / 5e-200 - 1) <= 1e-15)
    #expect(a.submatrix(rows: 1..<2, columns: 0..<2).storage == [3, 4])
  }
}

@Suite("Householder QR")
struct QRTests {
  @Test(arguments: shapes)
  func reconstructsWithOrthonormalQAndTriangularR(_ shape: (Int, Int)) {
    let (m, n) = shape
    let a = gaussianMatrix(m, n, label: 10)
    let (q, r) = a.householderQR()
    let p = min(m, n)
    #expect(q.rows == m && q.columns == p && r.rows == p && r.columns == n)
    #expect((q * r - a).frobeniusNorm <= 1e-13 * a.frobeniusNorm)
    #expect(orthonormalityError(q) <= 1e-14)
    for i in 0..<p {
      #expect(r[i, i] >= 0, "R[\(i),\(i)] = \(r[i, i]) is negative")
      for j in 0..<i { #expect(r[i, j] == 0) }
    }
    #expect(a.householderR() == r)
  }

  @Test func rankDeficientInput() {
    // Columns 2 and 3 repeat column 0; column 1 is zero.
    var a = gaussianMatrix(6, 4, label: 11)
    for i in 0..<6 { a[i, 1] = 0; a[i, 2] = a[i, 0]; a[i, 3] = -2 * a[i, 0] }
    let (q, r) = a.householderQR()
    #expect((q * r - a).frobeniusNorm <= 1e-14 * a.frobeniusNorm)
    #expect(orthonormalityError(q) <= 1e-14)
    #expect(r[1, 1] == 0)
    #expect(abs(r[2, 2]) <= 1e-14 && abs(r[3, 3]) <= 1e-14)
  }

  @Test func badlyScaledColumn() {
    // |a₀₀| / |a₁₀| = 1e200: squaring the ratio would overflow without scaling by the largest entry.
    let a = Matrix(rows: 2, columns: 2, storage: [1, 2, 1e-200, 3])
    let (q, r) = a.householderQR()
    #expect((q * r - a).maxAbsEntry <= 1e-15)
    #expect(abs(r[0, 0] - 1) <= 1e-15 && orthonormalityError(q) <= 1e-15)
  }

  @Test func knownFactorization() {
    // [[3, 1], [4, 2]]: first column has norm 5, so R = [[5, 11/5], [0, 2/5]].
    let (q, r) = Matrix(rows: 2, columns: 2, storage: [3, 1, 4, 2]).householderQR()
    #expect((r - Matrix(rows: 2, columns: 2, storage: [5, 2.2, 0, 0.4])).maxAbsEntry <= 1e-15)
    #expect((q - Matrix(rows: 2, columns: 2, storage: [0.6, -0.8, 0.8, 0.6])).maxAbsEntry <= 1e-15)
  }
}

@Suite("Symmetric eigen-decomposition")
struct SymmetricEigenTests {
  @Test(arguments: [1, 2, 5, 12, 40])
  func reconstructsRandomSymmetric(_ n: Int) {
    let b = gaussianMatrix(n, n, label: 20)
    let a = b + b.transposed
    let eig = a.symmetricEigen()
    #expect(eig.values == eig.values.sorted())
    #expect(orthonormalityError(eig.vectors) <= 1e-13)
    let rebuilt = eig.vectors * diagonal(eig.values) * eig.vectors.transposed
    #expect((rebuilt - a).frobeniusNorm <= 1e-13 * a.frobeniusNorm)
    for k in 0..<n {
      let v = eig.vectors.column(k)
      let av = a.multiply(v)
      for i in 0..<n { #expect(abs(av[i] - eig.values[k] * v[i]) <= 1e-12 * a.frobeniusNorm) }
    }
  }

  @Test func knownSpectra() {
    let two = Matrix(rows: 2, columns: 2, storage: [2, 1, 1, 2]).symmetricEigen()
    #expect(abs(two.values[0] - 1) <= 1e-15 && abs(two.values[1] - 3) <= 1e-15)
    #expect(abs(abs(two.vectors[0, 1]) - 0.5.squareRoot()) <= 1e-15)
    // Repeated eigenvalues: the rank-one matrix 1·1ᵀ (n = 5) has eigenvalues 0 (×4) and 5.
    let ones = Matrix(rows: 5, columns: 5, storage: .init(repeating: 1, count: 25)).symmetricEigen()
    for k in 0..<4 { #expect(abs(ones.values[k]) <= 1e-14) }
    #expect(abs(ones.values[4] - 5) <= 1e-14)
    #expect(orthonormalityError(ones.vectors) <= 1e-14)
    let diag = diagonal([3, -1, 2, 0]).symmetricEigen()
    #expect(diag.values == [-1, 0, 2, 3])
    #expect(Matrix.identity(4).symmetricEigen().values == [1, 1, 1, 1])
  }
}

@Suite("Symmetric eigenvalues without eigenvectors")
struct SymmetricEigenvalueTests {
  /// The dense matrix with `diagonal` on the diagonal and `offDiagonal` next to it on both sides.
  private func tridiagonal(_ diagonal: [Double], _ offDiagonal: [Double]) -> Matrix {
    var t = Matrix(rows: diagonal.count, columns: diagonal.count)
    for (i, a) in diagonal.enumerated() { t[i, i] = a }
    for (i, b) in offDiagonal.enumerated() { t[i, i + 1] = b; t[i + 1, i] = b }
    return t
  }

  /// max_i Σ_j |T_ij|, which bounds ‖T‖₂ for a symmetric T.
  private func infinityNorm(_ t: Matrix) -> Double {
    (0..<t.rows).map { i in (0..<t.columns).reduce(0) { $0 + abs(t[i, $1]) } }.max() ?? 0
  }

  @Test("values alone equal the values of the full decomposition, bit for bit", arguments: [0, 1, 2, 5, 12, 40])
  func valuesOnlyMatchFullDecomposition(_ n: Int) {
    let b = gaussianMatrix(n, n, label: 40)
    var a = b + b.transposed
    let ones = Matrix(rows: n, columns: n, storage: .init(repeating: 1, count: n * n))
    var matrices = [a, b.transposeMultiply(b), .identity(n), ones]
    if n > 1 {
      // An asymmetry at rounding level is accepted the same way: both decompose (A + Aᵀ)/2.
      a[0, 1] = a[0, 1].nextUp
      matrices.append(a)
    }
    for m in matrices {
      let values = m.symmetricEigenvalues()
      #expect(values.map(\.bitPattern) == m.symmetricEigen().values.map(\.bitPattern))
      #expect(values == values.sorted())
    }
  }

  @Test("tridiagonal eigenvalues agree with the dense decomposition of the same matrix", arguments: [1, 2, 3, 5, 12, 40, 100])
  func tridiagonalMatchesDense(_ n: Int) {
    var rng = RandomStream.derived(from: 2024, purpose: "linear-algebra-test", 41, n)
    let diagonal = (0..<n).map { _ in rng.gaussian() }
    var offDiagonal = (0..<(n - 1)).map { _ in rng.gaussian() }
    // A zero off-diagonal entry splits T into two blocks that QL must handle separately.
    if n > 4 { offDiagonal[n / 2] = 0 }
    let t = tridiagonal(diagonal, offDiagonal)
    let values = Matrix.tridiagonalEigenvalues(diagonal: diagonal, offDiagonal: offDiagonal)
    let dense = t.symmetricEigen().values
    #expect(values.count == n && values == values.sorted())
    // Both are backward stable, each within c·n·ε·‖T‖₂ of the exact eigenvalues (Weyl); c = 4 for each.
    let tolerance = 8 * Double(n) * .ulpOfOne * infinityNorm(t)
    for k in 0..<n { #expect(abs(values[k] - dense[k]) <= tolerance, "λ_\(k): \(values[k]) vs \(dense[k])") }
  }

  @Test("tridiag(−1, 2, −1) has eigenvalues 2 − 2cos(kπ/(n + 1))", arguments: [1, 2, 3, 10, 50, 200])
  func secondDifference(_ n: Int) {
    let values = Matrix.tridiagonalEigenvalues(
      diagonal: .init(repeating: 2, count: n), offDiagonal: .init(repeating: -1, count: n - 1))
    // ‖T‖₂ < 4; the closed form itself is accurate to a few ulps of 4.
    let tolerance = 4 * Double(n + 1) * .ulpOfOne * 4
    for k in 1...n {
      let exact = 2 - 2 * cos(Double(k) * .pi / Double(n + 1))
      #expect(abs(values[k - 1] - exact) <= tolerance, "λ_\(k) = \(values[k - 1]), exact \(exact)")
    }
  }

  @Test func smallCases() {
    #expect(Matrix.tridiagonalEigenvalues(diagonal: [], offDiagonal: []) == [])
    #expect(Matrix.tridiagonalEigenvalues(diagonal: [-3.5], offDiagonal: []) == [-3.5])
    #expect(Matrix(rows: 0, columns: 0).symmetricEigenvalues() == [])
    #expect(Matrix(rows: 1, columns: 1, storage: [-3.5]).symmetricEigenvalues() == [-3.5])
    // [[a, b], [b, a]] has eigenvalues a ∓ |b|; a diagonal matrix just gets sorted.
    let two = Matrix.tridiagonalEigenvalues(diagonal: [2, 2], offDiagonal: [-1])
    #expect(abs(two[0] - 1) <= 1e-15 && abs(two[1] - 3) <= 1e-15)
    #expect(Matrix.tridiagonalEigenvalues(diagonal: [3, -1, 2, 0], offDiagonal: [0, 0, 0]) == [-1, 0, 2, 3])
    #expect(diagonal([3, -1, 2, 0]).symmetricEigenvalues() == [-1, 0, 2, 3])
  }
}

@Suite("Singular value decomposition")
struct SVDTests {
  @Test(arguments: shapes)
  func reconstructsRandom(_ shape: (Int, Int)) {
    let (m, n) = shape
    let a = gaussianMatrix(m, n, label: 30)
    let svd = a.singularValueDecomposition()
    let p = min(m, n)
    #expect(svd.u.rows == m && svd.u.columns == p && svd.v.rows == n && svd.v.columns == p)
    #expect(svd.singularValues == svd.singularValues.sorted(by: >))
    #expect(svd.singularValues.allSatisfy { $0 >= 0 })
    #expect(orthonormalityError(svd.u) <= 1e-13)
    #expect(orthonormalityError(svd.v) <= 1e-13)
    let rebuilt = svd.u * diagonal(svd.singularValues) * svd.v.transposed
    #expect((rebuilt - a).frobeniusNorm <= 1e-13 * a.frobeniusNorm)
    let values = a.singularValues
    for k in 0..<p { #expect(abs(values[k] - svd.singularValues[k]) <= 1e-13 * svd.singularValues[0]) }
    // The singular values are the square roots of the eigenvalues of AᵀA (or AAᵀ).
    let gram = m >= n ? a.transposeMultiply(a) : a.multiplyTransposed(a)
    let eigen = gram.symmetricEigen().values.reversed().map { max($0, 0).squareRoot() }
    for k in 0..<p { #expect(abs(eigen[k] - values[k]) <= 1e-7 * values[0]) }
  }

  @Test func knownSingularValues() {
    // U₀ diag(s) V₀ᵀ with random orthonormal U₀ (9×4), V₀ (4×4).
    let s = [5.0, 1, 1e-3, 1e-6]
    let u0 = gaussianMatrix(9, 4, label: 31).householderQR().q
    let v0 = gaussianMatrix(4, 4, label: 32).householderQR().q
    let a = u0 * diagonal(s) * v0.transposed
    let values = a.singularValues
    for k in 0..<4 { #expect(abs(values[k] - s[k]) <= 1e-14 * 5) }
    #expect(abs(a.transposed.smallestSingularValue - 1e-6) <= 1e-14 * 5)
    // Hadamard H₄/2 is orthogonal; [I₃, −I₃] has σ = √2 (THEORY.md §8 cases 3 and 4).
    let h = Matrix(rows: 4, columns: 4, storage: [1, 1, 1, 1, 1, -1, 1, -1, 1, 1, -1, -1, 1, -1, -1, 1]).scaled(by: 0.5)
    #expect(h.singularValues.allSatisfy { abs($0 - 1) <= 1e-15 })
    var cross = Matrix(rows: 3, columns: 6)
    for i in 0..<3 { cross[i, i] = 1; cross[i, i + 3] = -1 }
    #expect(abs(cross.smallestSingularValue - 2.0.squareRoot()) <= 1e-15)
    #expect(diagonal([3, -2, 1]).singularValues == [3, 2, 1])
  }

  @Test func rankDeficient() {
    let a = gaussianMatrix(8, 3, label: 33) * gaussianMatrix(3, 6, label: 34)
    let svd = a.singularValueDecomposition()
    for k in 3..<6 { #expect(svd.singularValues[k] <= 1e-14 * svd.singularValues[0]) }
    #expect(svd.singularValues[2] > 1e-3 * svd.singularValues[0])
    #expect(a.numericalRank() == 3)
    #expect(a.transposed.numericalRank() == 3)
    #expect(orthonormalityError(svd.u) <= 1e-13)
    #expect(orthonormalityError(svd.v) <= 1e-13)
    #expect((svd.u * diagonal(svd.singularValues) * svd.v.transposed - a).frobeniusNorm <= 1e-13 * a.frobeniusNorm)
    // An exactly zero matrix still gets orthonormal singular vectors.
    let zero = Matrix(rows: 3, columns: 4).singularValueDecomposition()
    #expect(zero.singularValues == [0, 0, 0])
    #expect(orthonormalityError(zero.u) == 0 && orthonormalityError(zero.v) == 0)
    #expect(Matrix(rows: 3, columns: 4).numericalRank() == 0)
  }
}

@Suite("Pseudo-inverse")
struct PseudoInverseTests {
  /// The four Penrose conditions, relative to the sizes of A and A⁺.
  private func expectPenrose(_ a: Matrix, _ p: Matrix, tolerance: Double, _ label: String) {
    let scale = a.frobeniusNorm * p.frobeniusNorm
    #expect((a * p * a - a).frobeniusNorm <= tolerance * scale * a.frobeniusNorm, "A A⁺ A = A for \(label)")
    #expect((p * a * p - p).frobeniusNorm <= tolerance * scale * p.frobeniusNorm, "A⁺ A A⁺ = A⁺ for \(label)")
    let ap = a * p, pa = p * a
    #expect((ap - ap.transposed).frobeniusNorm <= tolerance * scale, "A A⁺ symmetric for \(label)")
    #expect((pa - pa.transposed).frobeniusNorm <= tolerance * scale, "A⁺ A symmetric for \(label)")
  }

  @Test(arguments: shapes)
  func penroseConditionsFullRank(_ shape: (Int, Int)) {
    let a = gaussianMatrix(shape.0, shape.1, label: 40)
    let p = a.pseudoInverse()
    #expect(p.rows == shape.1 && p.columns == shape.0)
    expectPenrose(a, p, tolerance: 1e-13, "\(shape)")
    // Full row rank: A A⁺ = I; full column rank: A⁺ A = I.
    if shape.0 <= shape.1 { #expect((a * p - .identity(shape.0)).maxAbsEntry <= 1e-12) }
    if shape.0 >= shape.1 { #expect((p * a - .identity(shape.1)).maxAbsEntry <= 1e-12) }
  }

  @Test func penroseConditionsRankDeficient() {
    let a = gaussianMatrix(7, 2, label: 41) * gaussianMatrix(2, 5, label: 42)
    let p = a.pseudoInverse()
    expectPenrose(a, p, tolerance: 1e-12, "rank 2, 7×5")
    // Only the two real singular values are inverted: ‖A⁺‖_F² = 1/σ₁² + 1/σ₂² (rounding-level ones would blow up).
    let sigma = a.singularValues
    let expected = (1 / (sigma[0] * sigma[0]) + 1 / (sigma[1] * sigma[1])).squareRoot()
    #expect(abs(p.frobeniusNorm / expected - 1) <= 1e-10)
    #expect(Matrix(rows: 2, columns: 3).pseudoInverse() == Matrix(rows: 3, columns: 2))
  }

  @Test func knownPseudoInverses() {
    // [I₃, −I₃]⁺ = [I₃, −I₃]ᵀ / 2 (THEORY.md §8 case 4).
    var cross = Matrix(rows: 3, columns: 6)
    for i in 0..<3 { cross[i, i] = 1; cross[i, i + 3] = -1 }
    #expect((cross.pseudoInverse() - cross.transposed.scaled(by: 0.5)).maxAbsEntry <= 1e-15)
    // An invertible matrix: A⁺ = A⁻¹ = [[2, −1], [−1, 1]] for A = [[1, 1], [1, 2]].
    let inverse = Matrix(rows: 2, columns: 2, storage: [1, 1, 1, 2]).pseudoInverse()
    #expect((inverse - Matrix(rows: 2, columns: 2, storage: [2, -1, -1, 1])).maxAbsEntry <= 1e-14)
    // A relative tolerance above σ₂/σ₁ drops the small direction: diag(1, 1e-3)⁺ = diag(1, 0).
    #expect(diagonal([1, 1e-3]).pseudoInverse(relativeTolerance: 1e-2) == diagonal([1, 0]))
    #expect((diagonal([1, 1e-3]).pseudoInverse() - diagonal([1, 1e3])).maxAbsEntry <= 1e-12)
  }
}

@Suite("Random orthogonal matrices")
struct RandomOrthogonalTests {
  @Test func orthogonalAndSeeded() {
    var rng = RandomStream.derived(from: 2024, purpose: "linear-algebra-test", 50)
    let q = Matrix.randomOrthogonal(33, &rng)
    #expect(q.rows == 33 && q.columns == 33)
    #expect(orthonormalityError(q) <= 1e-14)
    #expect(orthonormalityError(q.transposed) <= 1e-14)
    var again = RandomStream.derived(from: 2024, purpose: "linear-algebra-test", 50)
    #expect(Matrix.randomOrthogonal(33, &again).storage.map(\.bitPattern) == q.storage.map(\.bitPattern))
    // It is the Q of the QR factorization of the d×d Gaussian drawn row by row.
    var draws = RandomStream.derived(from: 2024, purpose: "linear-algebra-test", 50)
    let g = Matrix(rows: 33, columns: 33, storage: (0..<(33 * 33)).map { _ in draws.gaussian() })
    #expect(g.householderQR().q == q)
  }

  @Test("the diagonal entries are centred, as under Haar measure (no sign bias from the reflectors)")
  func unbiasedDiagonal() {
    // Under Haar measure Q₀₀ = g₁/‖g‖ for a Gaussian column g: mean 0, variance 1/d. Without the
    // sign fix, LAPACK's reflectors make Q₀₀ = −|g₁|/‖g‖ (mean ≈ −0.46 for d = 4).
    let d = 4, n = 2000
    var rng = RandomStream.derived(from: 2024, purpose: "linear-algebra-test", 51)
    var sums = [Double](repeating: 0, count: d)
    for _ in 0..<n {
      let q = Matrix.randomOrthogonal(d, &rng)
      for k in 0..<d { sums[k] += q[k, k] }
    }
    let tolerance = 4 * (1 / Double(d)).squareRoot() / Double(n).squareRoot()
    for k in 0..<d { #expect(abs(sums[k] / Double(n)) <= tolerance, "mean Q[\(k),\(k)] = \(sums[k] / Double(n))") }
  }
}
