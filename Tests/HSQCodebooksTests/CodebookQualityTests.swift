import Foundation
import HSQCodebooks
import HSQCore
import Testing

/// The D×K matrix with the given rows; its columns are the codewords (THEORY.md's convention), in Double.
private func matrix(_ rows: [[Double]]) -> Matrix {
  Matrix(rows: rows.count, columns: rows[0].count, storage: rows.flatMap { $0 })
}

/// The 2-D regular codebook c_k = (cos πk/m, sin πk/m), k = 0 … m−1.
private func regular2D(_ m: Int) -> Matrix {
  let angles = (0..<m).map { Double.pi * Double($0) / Double(m) }
  return matrix([angles.map(cos), angles.map(sin)])
}

private func identity(_ d: Int) -> [[Double]] {
  (0..<d).map { i in (0..<d).map { $0 == i ? 1.0 : 0.0 } }
}

private let quick = CodebookQuality.Options(samples: 4000, descentStarts: 4, descentIterations: 120, ascentRestarts: 16)

@Suite("Codebook quality")
struct CodebookQualityTests {
  /// THEORY.md §8 case 1: C = I₄ has ω₂ = 3 and δ = 1/4.
  @Test func identityFour() throws {
    let q = try CodebookQuality(columns: matrix(identity(4)), name: "I4", seed: 1, options: quick)
    #expect(q.hasFullRowRank && q.smallestSingularValue == 1)
    #expect(abs(try #require(q.omega2Exact) - 3) <= 1e-9)
    #expect(abs(try #require(q.omega2SpectralBound) - 3) <= 1e-9)
    #expect(abs(try #require(q.omega2GramBound) - 3) <= 1e-9)
    #expect(abs(q.deltaLowerBound - 0.25) <= 1e-9)
    #expect(abs(q.deltaUpperBound - 0.25) <= 1e-9)
  }

  /// THEORY.md §8 case 3: C = H₄/2 has ω₂ = K/σ_min² − 1 = 3.
  @Test func hadamardFour() throws {
    let h = [[1.0, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]].map { $0.map { $0 / 2 } }
    let q = try CodebookQuality(columns: matrix(h), name: "H4/2", seed: 2, options: quick)
    #expect(abs(try #require(q.omega2Exact) - 3) <= 1e-9)
    #expect(abs(try #require(q.omega2UpperBound) - 3) <= 1e-9)
    #expect(abs(q.deltaUpperBound - 0.25) <= 1e-9 && abs(q.deltaLowerBound - 0.25) <= 1e-9)
  }

  /// THEORY.md §8 case 4: C = [I₃, −I₃] has C⁺ = Cᵀ/2, σ_min = √2, ω₂ = 2 (as for I₃) and δ = 1/3.
  @Test func plusMinusIdentity() throws {
    let q = try CodebookQuality(codebook: try Codebooks.make("cross-polytope:dim=3,k=6"), seed: 3, options: quick)
    #expect(abs(q.smallestSingularValue - 2.0.squareRoot()) <= 1e-12)
    #expect(abs(try #require(q.omega2Exact) - 2) <= 1e-9)
    #expect(abs(try #require(q.omega2SpectralBound) - 2) <= 1e-9)
    #expect(abs(try #require(q.omega2GramBound) - 2) <= 1e-9)
    #expect(abs(q.deltaSpectralLowerBound - 1.0 / 3) <= 1e-9)
    #expect(abs(q.deltaUpperBound - 1.0 / 3) <= 1e-9)
  }

  /// THEORY.md §2 and §8 case 5: ω₂ = (2/m)² csc²(π/2m) − 1 (7/9 for m = 3) and δ = cos²(π/2m) (3/4 for m = 3).
  /// m = 21 takes the chunked, concurrent path of the enumeration.
  @Test(arguments: [3, 4, 5, 8, 21])
  func regularPolygon(_ m: Int) throws {
    let q = try CodebookQuality(columns: regular2D(m), name: "regular-\(m)", seed: 4, options: quick)
    let half = Double.pi / Double(2 * m)
    let omega = (2 / Double(m)) * (2 / Double(m)) / (sin(half) * sin(half)) - 1
    #expect(abs(try #require(q.omega2Exact) - omega) <= 1e-9, "ω₂ for m = \(m)")
    #expect(abs(q.deltaUpperBound - cos(half) * cos(half)) <= 1e-9, "δ for m = \(m)")
    if m == 3 {
      #expect(abs(omega - 7.0 / 9) <= 1e-12)
      // 1/(1 + ω₂) = 9/16 beats σ²/K = 1/2.
      #expect(abs(q.deltaSpectralLowerBound - 0.5) <= 1e-9 && abs(q.deltaLowerBound - 9.0 / 16) <= 1e-9)
    }
  }

  /// Orthonormal codebooks: ω₂ = D − 1, δ = 1/D and mean cos²θ = 0.432 for D = 8 (THEORY.md §3 table, 3 digits).
  @Test func orthonormalEight() throws {
    let options = CodebookQuality.Options(samples: 20_000, descentStarts: 4, descentIterations: 200, ascentRestarts: 16)
    let q = try CodebookQuality(codebook: try Codebooks.make("orthogonal:dim=8,k=8,seed=5"), seed: 5, options: options)
    #expect(abs(try #require(q.omega2Exact) - 7) <= 1e-5)  // the codewords are Float: orthonormal to ~1e-7
    #expect(abs(q.deltaUpperBound - 0.125) <= 1e-5)
    #expect(abs(q.meanCos2 - 0.432) <= 5 * q.meanCos2StandardError + 0.0005)
  }

  /// For D = 2 and C = I₂, cos²θ = (1 + |cos 2θ|)/2, so its mean is 1/2 + 1/π.
  @Test func meanCos2ClosedForm() throws {
    let options = CodebookQuality.Options(samples: 20_000, descentStarts: 1, descentIterations: 10, ascentRestarts: 1)
    let q = try CodebookQuality(columns: matrix(identity(2)), name: "I2", seed: 6, options: options)
    #expect(abs(q.meanCos2 - (0.5 + 1 / Double.pi)) <= 5 * q.meanCos2StandardError)
    #expect(q.meanCos2StandardError > 0 && q.meanCos2StandardError < 0.01)
  }

  @Test(arguments: [(6, 14), (5, 21), (16, 64)])
  func boundsAreOrdered(_ shape: (Int, Int)) throws {
    let q = try CodebookQuality(codebook: try Codebooks.make("gaussian:dim=\(shape.0),k=\(shape.1),seed=7"), seed: 7, options: quick)
    let lower = try #require(q.omega2LowerBound), upper = try #require(q.omega2UpperBound)
    #expect(upper == min(try #require(q.omega2SpectralBound), try #require(q.omega2GramBound)))
    #expect(lower <= upper)
    if let exact = q.omega2Exact {
      #expect(lower <= exact * (1 + 1e-12) && exact <= upper * (1 + 1e-12))
    } else {
      #expect(shape.1 > quick.exactLimit)
    }
    #expect(q.deltaSpectralLowerBound <= q.deltaLowerBound)
    #expect(q.deltaLowerBound <= q.deltaUpperBound && q.deltaUpperBound <= q.meanCos2)
    #expect(q.omega1Range.lowerBound <= q.omega1Range.upperBound)
  }

  /// The exact value agrees with a brute force over all 2^K sign vectors.
  @Test func enumerationMatchesBruteForce() throws {
    var rng = RandomStream(seed: 8)
    var c = Matrix(rows: 3, columns: 9, storage: (0..<27).map { _ in rng.gaussian() })
    for k in 0..<9 {
      let norm = (0..<3).reduce(0.0) { $0 + c[$1, k] * c[$1, k] }.squareRoot()
      for i in 0..<3 { c[i, k] /= norm }
    }
    let q = try CodebookQuality(columns: c, name: "gaussian", seed: 8, options: quick)
    let pinv = c.pseudoInverse()
    var best = 0.0
    for bits in 0..<(1 << 9) {
      let s = (0..<9).map { (bits >> $0) & 1 == 1 ? -1.0 : 1.0 }
      best = max(best, pinv.transposeMultiply(s).reduce(0) { $0 + $1 * $1 })
    }
    #expect(abs(try #require(q.omega2Exact) - (best - 1)) <= 1e-12 * best)
  }

  /// δ is attained at a facet normal of conv(±c_k): the normal n of D signed codewords (S n = 1). The minimum of
  /// max_k ⟨c_k, n̂⟩² over every such candidate is δ exactly; asymmetric codebooks need the facet polish to reach it.
  @Test(arguments: [(3, 5), (3, 6), (4, 7), (4, 9), (5, 9), (5, 10)])
  func deltaMatchesFacetEnumeration(_ shape: (Int, Int)) throws {
    let (d, k) = shape
    var rng = RandomStream(seed: UInt64(10 * d + k))
    let c = Matrix(rows: d, columns: k, storage: (0..<(d * k)).map { _ in rng.gaussian() })
    let q = try CodebookQuality(columns: c, name: "asymmetric", seed: 3)
    let columns = (0..<k).map { j in
      let v = (0..<d).map { c[$0, j] }
      let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
      return v.map { $0 / n }
    }
    var delta = Double.infinity, facetValues: [Double] = []
    for subset in 0..<(1 << k) where subset.nonzeroBitCount == d {
      let members = (0..<k).filter { (subset >> $0) & 1 == 1 }
      for signs in 0..<(1 << (d - 1)) {
        let s = Matrix(rows: d, columns: d, storage: members.enumerated().flatMap { r, j in
          columns[j].map { r > 0 && (signs >> (r - 1)) & 1 == 1 ? -$0 : $0 }
        })
        guard s.smallestSingularValue > 1e-9 else { continue }
        let n = s.pseudoInverse().multiply([Double](repeating: 1, count: d))
        let norm2 = n.reduce(0) { $0 + $1 * $1 }
        let value = columns.map { col in zip(col, n).reduce(0) { $0 + $1.0 * $1.1 } }.reduce(0) { max($0, $1 * $1) } / norm2
        delta = min(delta, value)
        facetValues.append(value)
      }
    }
    // The polish lands exactly on a facet normal, and the search finds the closest facet.
    #expect(facetValues.contains { abs($0 - q.deltaUpperBound) <= 1e-9 }, "\(q.deltaUpperBound) is a facet's value")
    #expect(abs(q.deltaUpperBound - delta) <= 1e-9, "δ = \(delta), found \(q.deltaUpperBound)")
    #expect(q.deltaLowerBound <= delta)
  }

  @Test func rankDeficientCodebooks() throws {
    for c in [try Codebooks.make("gaussian:dim=4,k=3,seed=9").matrix, matrix([[1, 0, 1], [0, 1, 1], [0, 0, 0]])] {
      let q = try CodebookQuality(columns: c, name: "rank-deficient", seed: 9, options: quick)
      #expect(!q.hasFullRowRank && q.smallestSingularValue <= 1e-7)
      #expect(q.omega2UpperBound == nil && q.omega2Exact == nil && q.omega2LowerBound == nil)
      #expect(q.deltaLowerBound <= 1e-14 && q.deltaUpperBound >= 0 && q.deltaUpperBound <= q.meanCos2)
      #expect(q.rows.contains { $0.1.contains("lacks full row rank") })
    }
  }

  @Test func seededCodableAndPrintable() throws {
    let c = try Codebooks.make("gaussian:dim=6,k=12,seed=10")
    let a = try CodebookQuality(codebook: c, seed: 11, options: quick)
    #expect(try a == CodebookQuality(codebook: c, seed: 11, options: quick))
    #expect(try a.meanCos2 != CodebookQuality(codebook: c, seed: 12, options: quick).meanCos2)
    let json = try JSONEncoder().encode(a)
    #expect(try JSONDecoder().decode(CodebookQuality.self, from: json) == a)
    #expect(a.rows.first! == ("codebook", c.name))
    #expect(a.table.split(separator: "\n").count == a.rows.count && a.table.contains("mean cos²θ"))
  }
}
