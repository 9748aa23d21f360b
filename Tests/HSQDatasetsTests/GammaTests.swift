import Foundation
import HSQCore
import HSQDatasets
import Testing

@Suite("gamma and dirichlet sampling")
struct GammaTests {
  @Test("Gamma(α) draws have mean α and variance α (within 5σ)", arguments: [0.05, 0.3, 1.0, 2.5, 40.0])
  func gammaMoments(shape: Double) {
    var rng = RandomStream.derived(from: 99, purpose: "test-gamma", Int(shape * 100))
    let n = 40000
    let draws = (0..<n).map { _ in rng.gamma(shape: shape) }
    let mean = draws.reduce(0, +) / Double(n)
    let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
    #expect(draws.allSatisfy { $0 >= 0 && $0.isFinite })
    #expect(abs(mean - shape) < 5 * (shape / Double(n)).squareRoot(), "mean \(mean)")
    // Var(s²) ≈ σ⁴(2 + 6/α)/n for Gamma (excess kurtosis 6/α).
    let tolerance = 5 * shape * ((2 + 6 / shape) / Double(n)).squareRoot()
    #expect(abs(variance - shape) < tolerance, "variance \(variance)")
  }

  @Test("Dirichlet draws sum to 1; tiny α puts almost all mass on one category")
  func dirichlet() {
    var rng = RandomStream(seed: 4)
    for alpha in [1e-4, 0.1, 1, 100] {
      let p = rng.dirichlet(alpha: alpha, count: 8)
      #expect(abs(p.reduce(0, +) - 1) < 1e-12 && p.allSatisfy { $0 >= 0 })
    }
    let tiny = rng.dirichlet(alpha: 1e-4, count: 8)
    #expect(tiny.max()! > 0.999)
    let flat = rng.dirichlet(alpha: 1e5, count: 8)
    #expect(flat.allSatisfy { abs($0 - 0.125) < 0.01 })
  }
}
