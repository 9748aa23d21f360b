import HSQCodebooks
import HSQCore
import Testing

@Suite("Randomized Hadamard basis")
struct RandomizedHadamardBasisTests {
  private func randomVector(_ d: Int, seed: Int) -> [Float] {
    var rng = RandomStream.derived(from: 99, purpose: "hadamard-test", seed, d)
    return (0..<d).map { _ in Float(rng.gaussian()) }
  }

  @Test func refusesDimensionsThatAreNotPowersOfTwo() {
    for d in [0, 3, 12, 1000] {
      let error = #expect(throws: HSQError.self) { try RandomizedHadamardBasis(dimension: d, seed: 0) }
      if case .constraint? = error, let message = error?.description {
        #expect(message.contains("power of two") && message.contains("\(d)"))
      } else {
        Issue.record("dimension \(d) gave \(String(describing: error))")
      }
    }
  }

  @Test(arguments: [1, 2, 8, 32])
  func orthonormalAndAgreesWithTheDenseCodebook(_ d: Int) throws {
    let basis = try RandomizedHadamardBasis(dimension: d, seed: 11)
    let dense = try Codebooks.make("hadamard:dim=\(d),k=\(d),seed=11")
    for k in 0..<d {
      let b = basis.codeword(k)
      // Codebook.init renormalizes each row, which may move an entry by one ulp.
      for (x, y) in zip(b, dense.codeword(k)) { #expect(abs(x - y) <= x.ulp, "entry of codeword \(k)") }
      for l in 0..<d {
        let dot = Vec.dot(b, basis.codeword(l))
        #expect(abs(dot - (k == l ? 1 : 0)) <= 1e-6, "⟨b_\(k), b_\(l)⟩ = \(dot)")
      }
      // Column k of H·diag(s)/√d: the entry at i is s_k (−1)^popcount(i & k) / √d.
      for i in 0..<d {
        let expected = basis.sign(k) * ((i & k).nonzeroBitCount % 2 == 0 ? 1 : -1) * basis.entryMagnitude
        #expect(b[i] == expected)
      }
    }
  }

  @Test func fastCoefficientsMatchInnerProducts() throws {
    let d = 64
    let basis = try RandomizedHadamardBasis(dimension: d, seed: 3)
    let v = randomVector(d, seed: 1)
    let fast = basis.coefficients(of: v)
    for k in 0..<d { #expect(abs(Double(fast[k]) - Vec.dot(basis.codeword(k), v)) <= 1e-5) }
    let back = basis.combination(of: fast)
    for i in 0..<d { #expect(abs(back[i] - v[i]) <= 1e-5) }
    var out = v
    basis.addCodeword(5, scaledBy: -2.5, to: &out)
    let b5 = basis.codeword(5)
    for i in 0..<d { #expect(abs(out[i] - (v[i] - 2.5 * b5[i])) <= 1e-6) }
  }

  @Test func hugeDimensionWithoutAMatrix() throws {
    let d = 1 << 20
    let basis = try RandomizedHadamardBasis(dimension: d, seed: 7)
    // Signs are balanced: Binomial(d, ½), d/2 ± k·√d/2 with k = 5.
    var negative = 0
    for k in 0..<d where basis.sign(k) < 0 { negative += 1 }
    #expect(abs(Double(negative - d / 2)) <= 5 * Double(d).squareRoot() / 2)
    // Float rounding of the transform: log₂d = 20 butterfly levels, the signs and the 1/√d
    // scaling each add at most 2⁻²⁴ relative to the vector's norm, so a coefficient of a unit
    // vector errs by at most (20 + 2)·2⁻²⁴ ≈ 1.3·10⁻⁶ and its squared norm by twice that.
    let rounding = Double(20 + 2) * 0x1p-24
    // The coefficients of a codeword are a unit vector e_k.
    for k in [0, 1, 12345, d - 1] {
      let c = basis.coefficients(of: basis.codeword(k))
      #expect(abs(Double(c[k]) - 1) <= rounding)
      #expect(c.enumerated().allSatisfy { $0.offset == k || Double(abs($0.element)) <= rounding })
    }
    // Parseval: an orthonormal basis keeps the norm.
    let v = randomVector(d, seed: 2)
    #expect(abs(Vec.squaredNorm(basis.coefficients(of: v)) / Vec.squaredNorm(v) - 1) <= 2 * rounding)
  }

  @Test func seedsGiveDifferentSigns() throws {
    let a = try RandomizedHadamardBasis(dimension: 256, seed: 1)
    #expect(a == (try RandomizedHadamardBasis(dimension: 256, seed: 1)))
    let b = try RandomizedHadamardBasis(dimension: 256, seed: 2)
    #expect((0..<256).contains { a.sign($0) != b.sign($0) })
  }
}
