import HSQCore
import HSQModels
import Testing

@Suite("Smoothness constants and the least-squares optimum")
struct SmoothnessTests {
  let regression = ModelInput(featureCount: 6, task: .regression)

  @Test("least squares: L and μ are the extreme eigenvalues of AᵀA/n (Jacobi reference)", arguments: [true, false])
  func leastSquaresSpectrum(bias: Bool) throws {
    let e = Fixtures.examples(for: regression, count: 30, seed: 5)
    let model = try Models.make("least-squares:bias=\(bias)", for: regression)
    let s = try #require(try model.smoothness(on: e))
    let eigen = Reference.jacobiEigenvalues(Reference.gram(e, bias: bias))
    #expect(s.isExact)
    #expect(abs(s.L - eigen.last!) <= 1e-10 * eigen.last!)
    #expect(abs(s.mu - eigen.first!) <= 1e-10 * eigen.last!)
    #expect(s.mu > 0)
    #expect((s.conditionNumber ?? 0) >= 1)
  }

  @Test("least squares with fewer examples than d + 1 has μ = 0")
  func underdetermined() throws {
    let e = Fixtures.examples(for: regression, count: 4, seed: 6)
    let s = try #require(try Models.make("least-squares", for: regression).smoothness(on: e))
    #expect(s.mu == 0)
    #expect(abs(s.L - Reference.jacobiEigenvalues(Reference.gram(e, bias: true)).last!) <= 1e-10 * s.L)
  }

  @Test("logistic L = λ_max/4 and softmax L = λ_max/2, μ = 0")
  func classifiers() throws {
    let binary = ModelInput(featureCount: 6, task: .binary)
    let e = Fixtures.examples(for: binary, count: 30, seed: 7)
    let lambda = Reference.jacobiEigenvalues(Reference.gram(e, bias: true)).last!
    let logistic = try #require(try Models.make("logistic", for: binary).smoothness(on: e))
    let softmax = try #require(try Models.make("softmax", for: binary).smoothness(on: e))
    #expect(abs(logistic.L - lambda / 4) <= 1e-10 * lambda)
    #expect(abs(softmax.L - lambda / 2) <= 1e-10 * lambda)
    #expect(logistic.mu == 0 && softmax.mu == 0)
    let decayed = logistic.adding(weightDecay: 0.01)
    #expect(decayed.mu == 0.01 && abs(decayed.L - logistic.L - 0.01) < 1e-15)
  }

  @Test("L bounds the change of the gradient: ‖∇f(x) − ∇f(y)‖ ≤ L‖x − y‖", arguments: ["least-squares", "logistic", "softmax"])
  func lipschitz(name: String) throws {
    for (problem, model) in try Fixtures.accepted(name, count: 20) {
      let s = try #require(try model.smoothness(on: problem.examples))
      var worst = 0.0
      for seed in 0..<10 as Range<UInt64> {
        let x = Fixtures.parameters(for: model, seed: seed, noise: 1)
        let y = Fixtures.parameters(for: model, seed: seed + 100, noise: 1)
        let gx = try model.lossAndGradient(parameters: x, batch: problem.examples).gradient
        let gy = try model.lossAndGradient(parameters: y, batch: problem.examples).gradient
        let dg = zip(gx, gy).reduce(0) { $0 + Vec.squaredDistance($1.0, $1.1) }.squareRoot()
        let dx = zip(x, y).reduce(0) { $0 + Vec.squaredDistance($1.0, $1.1) }.squareRoot()
        worst = max(worst, dg / dx)
      }
      #expect(worst <= s.L * (1 + 1e-5), "\(problem): ratio \(worst) > L = \(s.L)")
    }
  }

  @Test("non-convex models report no smoothness constants", arguments: ["mlp", "cnn"])
  func nonConvex(name: String) throws {
    for (problem, model) in try Fixtures.accepted(name) {
      #expect(try model.smoothness(on: problem.examples) == nil)
      #expect(try model.optimum(on: problem.examples) == nil)
    }
  }

  @Test("the least-squares optimum solves the normal equations", arguments: [true, false])
  func optimum(bias: Bool) throws {
    let e = Fixtures.examples(for: regression, count: 40, seed: 8)
    let model = try Models.make("least-squares:bias=\(bias)", for: regression)
    let optimum = try #require(try model.optimum(on: e))
    let solution = try solveNormalEquations(e, bias: bias)
    let flat = optimum.parameters.flatMap { $0 }.map(Double.init)
    for (a, b) in zip(flat, solution) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b))) }
    let (lossAtOptimum, gradient) = try model.lossAndGradient(parameters: optimum.parameters, batch: e)
    #expect(abs(lossAtOptimum - optimum.loss) <= 1e-5 * optimum.loss)
    #expect(gradient.reduce(0) { $0 + Vec.squaredNorm($1) }.squareRoot() <= 1e-4)
    let nearby = Fixtures.parameters(for: model, seed: 2, noise: 0.01).enumerated().map { l, noise in
      zip(optimum.parameters[l], noise).map { $0 + $1 }
    }
    #expect(try model.evaluate(parameters: nearby, examples: e).loss > optimum.loss)
  }

  @Test("underdetermined least squares interpolates: f* = 0 at the minimum-norm solution")
  func interpolation() throws {
    let e = Fixtures.examples(for: regression, count: 4, seed: 9)
    let optimum = try #require(try Models.make("least-squares", for: regression).optimum(on: e))
    #expect(optimum.loss < 1e-20)
  }

  @Test("beyond 512 dimensions L is a Lanczos estimate of the top eigenvalue")
  func lanczos() throws {
    // Rows sⱼ·eⱼ (j = i mod d): XᵀX/n = diag(sⱼ²/d), top eigenvalue 4, the rest in [1, 2].
    let d = 600
    let input = ModelInput(featureCount: d, task: .regression)
    var features = [Float](repeating: 0, count: d * d)
    for j in 0..<d {
      let lambda = j == d - 1 ? 4.0 : 1 + Double(j) / Double(d)
      features[j * d + j] = Float((lambda * Double(d)).squareRoot())
    }
    let e = Examples(count: d, featureCount: d, features: features, targets: [Float](repeating: 0, count: d))
    let s = try #require(try Models.make("least-squares:bias=false", for: input).smoothness(on: e))
    #expect(!s.isExact)
    #expect(abs(s.L - 4) <= 1e-4 * 4)
    // Ritz values lie inside the spectrum, so μ can only be overestimated; 100 steps get within 1%.
    #expect(s.mu >= 1 - 1e-4 && s.mu <= 1.01, "μ estimate \(s.mu)")
    // Past the eigen path the optimum comes from the Cholesky solve: zero targets give x* = 0, f* = 0.
    let optimum = try #require(try Models.make("least-squares:bias=false", for: input).optimum(on: e))
    #expect(optimum.parameters[0].allSatisfy { $0 == 0 } && optimum.loss == 0)
  }

  /// Normal equations by Gaussian elimination with partial pivoting, in Double.
  func solveNormalEquations(_ e: Examples, bias: Bool) throws -> [Double] {
    var a = Reference.gram(e, bias: bias)
    let d = e.featureCount, dim = a.count
    var b = [Double](repeating: 0, count: dim)
    for i in 0..<e.count {
      for j in 0..<dim { b[j] += (j < d ? Double(e.features[i * d + j]) : 1) * Double(e.targets[i]) / Double(e.count) }
    }
    for c in 0..<dim {
      let p = (c..<dim).max { abs(a[$0][c]) < abs(a[$1][c]) }!
      a.swapAt(c, p); b.swapAt(c, p)
      for r in (c + 1)..<dim {
        let f = a[r][c] / a[c][c]
        for k in c..<dim { a[r][k] -= f * a[c][k] }
        b[r] -= f * b[c]
      }
    }
    var x = [Double](repeating: 0, count: dim)
    for r in stride(from: dim - 1, through: 0, by: -1) {
      x[r] = (b[r] - ((r + 1)..<dim).reduce(0) { $0 + a[r][$1] * x[$1] }) / a[r][r]
    }
    return x
  }
}
