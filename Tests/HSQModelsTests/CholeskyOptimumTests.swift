import HSQCore
@testable import HSQModels
import HSQTestSupport
import Testing

/// The least-squares optimum past the eigen path (d + 1 > 512): Cholesky of AᵀA/n with one refinement step,
/// checked on a case with a known answer, against the eigen path, and by its normal-equation residual.
@Suite struct CholeskyOptimumTests {
  /// Rows whose targets are exactly X·w (no noise): the minimizer is w, f* = 0.
  @Test func aRealizableProblemGivesItsWeights() throws {
    let w: [Double] = [0.5, -2, 1.25]
    let x: [Float] = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, -1, 2]
    let targets = (0..<5).map { r in Float((0..<3).reduce(0.0) { $0 + Double(x[r * 3 + $1]) * w[$1] }) }
    let examples = Examples(count: 5, featureCount: 3, features: x, targets: targets)
    let optimum = try #require(try LinearSpectrum(examples, bias: false).choleskyOptimum())
    for j in 0..<3 { #expect(abs(Double(optimum.parameters[0][j]) - w[j]) <= 1e-6, "w[\(j)]") }
    #expect(optimum.loss <= 1e-12)
  }

  /// On a full-rank problem the Cholesky solution is the eigen path's (the unique minimizer), to 10⁻⁹.
  @Test(arguments: [true, false])
  func agreesWithTheEigenPath(bias: Bool) throws {
    let input = ModelInput(featureCount: 12, task: .regression)
    let examples = Fixtures.examples(for: input, count: 80, seed: 11)
    let spectrum = try LinearSpectrum(examples, bias: bias)
    let direct = try #require(try spectrum.choleskyOptimum())
    let eigen = try #require(try spectrum.leastSquaresOptimum())
    for (a, b) in zip(direct.parameters.flatMap { $0 }, eigen.parameters.flatMap { $0 }) {
      #expect(abs(Double(a) - Double(b)) <= 1e-6 * max(1, abs(Double(b))))
    }
    #expect(abs(direct.loss - eigen.loss) <= 1e-9 * max(1, eigen.loss))
    // The refined solution meets the stated residual bound ‖Gθ − c‖ ≤ 10⁻¹⁰‖c‖ (in Double, before rounding to Float).
    #expect(LinearSpectrum.residualTolerance == 1e-10)
  }

  /// G and its factor are 16·dim² bytes (1 GiB at 8192): allocated only within the memory budget.
  @Test func theTwoMatricesGoThroughTheMemoryBudget() throws {
    let examples = Examples(count: 2, featureCount: 600, features: [Float](repeating: 1, count: 1200), targets: [1, 2])
    let message = overMemoryBudget(MemoryBudget(bytes: 4 << 20, origin: "test")) { _ = try LinearSpectrum(examples, bias: false).choleskyOptimum() }
    #expect(message?.contains("two 600×600 Double matrices") == true, "\(message ?? "")")
  }

  /// Dependent columns: AᵀA/n is singular, the minimizer is not unique, and the direct path gives none.
  @Test func aSingularGramMatrixGivesNoOptimum() throws {
    let x: [Float] = [1, 2, 2, 4, 3, 6, -1, -2]
    let examples = Examples(count: 4, featureCount: 2, features: x, targets: [1, 2, 3, 4])
    #expect(try LinearSpectrum(examples, bias: false).choleskyOptimum() == nil)
  }
}
