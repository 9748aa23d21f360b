@testable import HSQCodebooks
import HSQCore
import Testing

/// Every registered construction that needs no file.
private let generatedNames = Codebooks.registry.names.filter { $0 != "file" }

/// max |⟨c_i, c_j⟩ − [i = j]| over all pairs of codewords.
private func gramError(_ c: Codebook) -> Double {
  let m = c.matrix
  return (m.transposeMultiply(m) - .identity(c.count)).maxAbsEntry
}

@Suite("Codebook constructions")
struct CodebookConstructionTests {
  @Test func theBuiltinsAreRegistered() {
    #expect(Set(Codebooks.registry.names) == ["gaussian", "orthogonal", "kmeans", "cross-polytope", "hadamard", "file"])
    for info in Codebooks.registry.infos where info.name != "file" {
      #expect(Array(info.parameters.prefix(3).map(\.name)) == ["dim", "k", "seed"], "\(info.name) starts with the common parameters")
    }
  }

  @Test(arguments: generatedNames)
  func deterministicUnitRowsRightShape(_ name: String) throws {
    let request = "\(name):seed=7"
    let values = try Codebooks.registry.values(for: ComponentRequest(parsing: request))
    let a = try Codebooks.make(request), b = try Codebooks.make(request)
    #expect(a.vectors.map(\.bitPattern) == b.vectors.map(\.bitPattern), "\(name) is bit-identical twice")
    #expect(a.training == b.training)
    #expect(a.name == values.canonical)
    #expect(a.dim == values.int("dim") && a.count == values.int("k") && a.vectors.count == a.dim * a.count)
    for k in 0..<a.count {
      let norm2 = a.codeword(k).reduce(0.0) { $0 + Double($1) * Double($1) }
      #expect(abs(norm2 - 1) <= 1e-6, "codeword \(k) of \(name) has squared norm \(norm2)")
    }
    if name != "cross-polytope" {  // the only construction without randomness
      let other = try Codebooks.make("\(name):seed=8")
      #expect(other.vectors != a.vectors, "\(name) depends on the seed")
    }
  }

  @Test(arguments: [1, 2, 8, 33])
  func orthogonalIsOrthogonal(_ dim: Int) throws {
    let c = try Codebooks.make("orthogonal:dim=\(dim),k=\(dim),seed=3")
    #expect(gramError(c) <= 1e-6)
  }

  /// Without the sign fix, Householder QR gives Q₀₀ = −|G₀₀|/‖G₀‖ < 0 always; Haar needs both signs equally often.
  @Test func orthogonalHasTheHaarSignFix() throws {
    var positive = 0
    for seed in 0..<64 {
      if try Codebooks.make("orthogonal:dim=4,k=4,seed=\(seed)").vectors[0] > 0 { positive += 1 }
    }
    // Binomial(64, ½): mean 32, standard deviation 4; 5 standard deviations, 12...52: the exact
    // two-sided tail P(X ≤ 11 or X ≥ 53) = 1.0·10⁻⁷ (the sign-fix bug gives 0).
    #expect((12...52).contains(positive), "\(positive) of 64 first entries positive")
  }

  @Test func crossPolytopeIsPlusMinusIdentity() throws {
    let c = try Codebooks.make("cross-polytope:dim=3,k=6")
    #expect(c.vectors == [1, 0, 0, 0, 1, 0, 0, 0, 1, -1, 0, 0, 0, -1, 0, 0, 0, -1])
  }

  @Test(arguments: [1, 2, 4, 16, 64])
  func hadamardIsOrthonormalWithEntriesOneOverRootD(_ dim: Int) throws {
    let c = try Codebooks.make("hadamard:dim=\(dim),k=\(dim),seed=5")
    #expect(gramError(c) <= 1e-6)
    let magnitude = 1 / Float(dim).squareRoot()
    #expect(c.vectors.allSatisfy { abs(abs($0) - magnitude) <= magnitude * 1e-6 })
  }

  @Test func invalidCombinationsNameTheFix() {
    let cases: [(String, [String])] = [
      ("orthogonal:dim=8,k=16", ["k = dim", "'orthogonal:dim=8,k=8'"]),
      ("hadamard:dim=12,k=12", ["power of two", "dim=8 or dim=16"]),
      ("hadamard:dim=8,k=16", ["k = dim", "'hadamard:dim=8,k=8'"]),
      ("cross-polytope:dim=4,k=6", ["k = 2·dim", "'cross-polytope:dim=4,k=8'"]),
      ("orthogonal:dim=5000,k=5000", ["hadamard"]),
    ]
    for (spec, phrases) in cases {
      let error = #expect(throws: HSQError.self, "\(spec) is refused") { try Codebooks.make(spec) }
      guard let message = error?.description else {
        Issue.record("\(spec) gave \(String(describing: error))")
        continue
      }
      for phrase in phrases { #expect(message.contains(phrase), "'\(message)' names \(phrase)") }
    }
  }
}

@Suite("Spherical k-means")
struct KMeansTests {
  @Test func trainsAndReports() throws {
    let c = try Codebooks.make("kmeans:dim=8,k=32,seed=1,samples-per-codeword=32,iterations=20")
    let report = try #require(c.training)
    #expect(report.samples == 32 * 32)
    #expect((1...20).contains(report.iterations))
    // The objective is the mean of max_k ⟨c_k, x⟩² over the training samples, recomputed here
    // in Double from the same samples. Slack: each Float dot of D = 8 unit-length terms errs
    // by at most D·2⁻²⁴ ≈ 5·10⁻⁷ (plus the rows' renormalization, 2⁻²⁴), so a squared one by
    // about 2·10⁻⁶ at most; the mean errs no more.
    var rng = RandomStream.derived(from: 1, purpose: "codebook-kmeans", 8, 32)
    let samples = try KMeansCodebook.uniformSphereSamples(count: report.samples, dim: 8, rng: &rng)
    var objective = 0.0
    for i in 0..<report.samples {
      let x = samples[(i * 8)..<(i * 8 + 8)].map(Double.init)
      objective += (0..<c.count).map { k in
        let dot = zip(c.codeword(k), x).reduce(0.0) { $0 + Double($1.0) * $1.1 }
        return dot * dot
      }.max()!
    }
    objective /= Double(report.samples)
    #expect(abs(report.objective - objective) <= 2e-6, "reported \(report.objective), recomputed \(objective)")
  }

  /// Training must beat an untrained codebook of the same shape on fresh directions, and
  /// the training objective (measured on the training samples) can only be optimistic.
  @Test func beatsGaussianOnFreshDirections() throws {
    let options = CodebookQuality.Options(samples: 4000, descentStarts: 0, ascentRestarts: 1, exactLimit: 0)
    let trained = try Codebooks.make("kmeans:dim=8,k=32,seed=2")
    let random = try Codebooks.make("gaussian:dim=8,k=32,seed=2")
    let q = try CodebookQuality(codebook: trained, seed: 9, options: options)
    let g = try CodebookQuality(codebook: random, seed: 9, options: options)
    let se = (q.meanCos2StandardError * q.meanCos2StandardError + g.meanCos2StandardError * g.meanCos2StandardError).squareRoot()
    #expect(q.meanCos2 > g.meanCos2 + 5 * se, "k-means \(q.meanCos2) vs Gaussian \(g.meanCos2)")
    #expect(try #require(trained.training).objective >= q.meanCos2 - 5 * q.meanCos2StandardError)
  }
}
