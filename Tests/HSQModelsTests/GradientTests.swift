import HSQCore
import HSQModels
import Testing

/// Every registered model's gradient against central finite differences of its own loss.
///
/// Tolerance: along a unit direction v restricted to one layer, the analytic value is ⟨g, v⟩ and
/// the natural scale is ‖g_layer‖ (the largest it can be). The Float32 loss carries rounding noise
/// of about 1e-7·|f| (sums in Double, products in Float), so a central difference with step h has
/// noise ≈ 1e-7·|f|/h and truncation O(h²); the step is the largest of a ladder at which D(h) and
/// D(h/2) agree to a quarter of the 1e-2·scale tolerance, while a wrong gradient (a factor, a sign,
/// a missing term) is off by O(scale). ReLU kinks and max-pool switches make the loss piecewise
/// smooth: a direction along which no step is consistent crosses one, so it is replaced by another
/// (this cannot hide a bug: a bug makes D(h) and D(h/2) agree with each other and not with ⟨g, v⟩).
@Suite("Gradients match finite differences")
struct GradientTests {
  static let steps = [1e-1, 3e-2, 1e-2, 3e-3, 1e-3]
  static let tolerance = 1e-2

  @Test("every model on every input it accepts", arguments: Fixtures.specs)
  func finiteDifferences(spec: String) throws {
    let cases = try Fixtures.accepted(spec)
    #expect(!cases.isEmpty, "'\(spec)' accepts none of the test inputs")
    for (index, (problem, model)) in cases.enumerated() {
      let parameters = Fixtures.parameters(for: model, seed: 10 + UInt64(index))
      let (loss, gradient) = try model.lossAndGradient(parameters: parameters, batch: problem.examples)
      let evaluated = try model.evaluate(parameters: parameters, examples: problem.examples).loss
      #expect(abs(loss - evaluated) <= 1e-6 * max(1, abs(loss)), "\(problem): loss \(loss) ≠ evaluate \(evaluated)")
      let total = gradient.reduce(0) { $0 + Vec.squaredNorm($1) }.squareRoot()
      var rng = RandomStream(seed: 99 + UInt64(index))
      for (l, layer) in model.layers.enumerated() {
        let scale = max(Reference.norm(gradient[l]), 1e-2 * total, 1e-4)
        var directions = [gradient[l].map { Float(Double($0) / max(Reference.norm(gradient[l]), 1e-30)) }]
        for _ in 0..<9 { directions.append(unit((0..<layer.count).map { _ in Float(rng.gaussian()) })) }
        var checked = 0
        for v in directions where checked < 3 {
          guard let numeric = try derivative(model, parameters, layer: l, direction: v, problem.examples, scale: scale) else { continue }
          let analytic = Vec.dot(gradient[l], v)
          let error = abs(numeric - analytic) / scale
          #expect(error < Self.tolerance, "\(problem), \(layer.name): analytic \(analytic), numeric \(numeric)")
          checked += 1
        }
        #expect(checked >= 2, "\(problem), \(layer.name): too few smooth directions")
      }
    }
  }

  /// The Richardson-extrapolated central difference along `v`, or `nil` when no step in the ladder
  /// gives D(h) and D(h/2) that agree (the loss is not smooth at any of these scales along `v`).
  ///
  /// Large steps come first: they carry the least rounding noise (≈ 1e-7·|f|/h) and are exact on
  /// quadratics; smaller steps take over where curvature or a kink makes D(h) and D(h/2) differ.
  func derivative(
    _ model: any Model, _ p: [[Float]], layer l: Int, direction v: [Float], _ examples: Examples, scale: Double
  ) throws -> Double? {
    func f(_ t: Double) throws -> Double {
      var q = p
      for i in q[l].indices { q[l][i] += Float(t) * v[i] }
      return try model.evaluate(parameters: q, examples: examples).loss
    }
    func central(_ step: Double) throws -> Double { (try f(step) - f(-step)) / (2 * step) }
    for h in Self.steps {
      let d1 = try central(h), d2 = try central(h / 2)
      if abs(d1 - d2) <= 0.25 * Self.tolerance * scale { return (4 * d2 - d1) / 3 }
    }
    return nil
  }

  func unit(_ x: [Float]) -> [Float] {
    let n = Reference.norm(x)
    return x.map { Float(Double($0) / n) }
  }

  @Test("the gradient of the mean is the mean of the halves' gradients", arguments: Models.registry.names)
  func batchMean(name: String) throws {
    for (problem, model) in try Fixtures.accepted(name, count: 8) {
      let p = Fixtures.parameters(for: model, seed: 3)
      let whole = try model.lossAndGradient(parameters: p, batch: problem.examples)
      let a = try model.lossAndGradient(parameters: p, batch: problem.examples.subset(Array(0..<4)))
      let b = try model.lossAndGradient(parameters: p, batch: problem.examples.subset(Array(4..<8)))
      #expect(abs(whole.loss - (a.loss + b.loss) / 2) <= 1e-6 * max(1, whole.loss), "\(problem)")
      for l in model.layers.indices {
        let mean = zip(a.gradient[l], b.gradient[l]).map { ($0 + $1) / 2 }
        let error = Vec.squaredDistance(whole.gradient[l], mean).squareRoot()
        #expect(error <= 1e-5 * max(Reference.norm(whole.gradient[l]), 1e-3), "\(problem), \(model.layers[l].name)")
      }
    }
  }
}
