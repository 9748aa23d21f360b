import Foundation
import HSQCore
import HSQModels
import Testing

@Suite("Model contract")
struct ModelContractTests {
  @Test("the registry lists the built-in models")
  func registry() throws {
    #expect(Set(Models.registry.names) == ["least-squares", "logistic", "softmax", "mlp", "cnn"])
    #expect(throws: HSQError.unknownName(kind: "model", name: "sofmax", suggestion: "softmax")) { try Models.factory("sofmax") }
    #expect(try Models.factory("mlp:hidden=256-128").spec == "mlp:hidden=256-128,activation=relu,init=auto")
  }

  @Test("initialization is deterministic from the seed", arguments: Fixtures.specs)
  func deterministicInit(spec: String) throws {
    for (problem, model) in try Fixtures.accepted(spec) {
      var a = RandomStream(seed: 42), b = RandomStream(seed: 42), c = RandomStream(seed: 43)
      let p = model.initialParameters(rng: &a)
      #expect(p == model.initialParameters(rng: &b), "\(problem)")
      #expect(p.map(\.count) == model.layers.map(\.count), "\(problem)")
      let q = model.initialParameters(rng: &c)
      let random = model.layers.indices.contains { l in model.layers[l].name.hasSuffix("weight") && p[l].contains { $0 != 0 } }
      if random { #expect(p != q, "\(problem): a different seed gave the same weights") }
    }
  }

  @Test("lossAndGradient overwrites every entry of the gradient buffer", arguments: Fixtures.specs)
  func gradientIsOverwritten(spec: String) throws {
    // The experiment hands models uninitialized gradient buffers; a model that accumulated would read garbage.
    for (problem, model) in try Fixtures.accepted(spec) {
      let parameters = Fixtures.parameters(for: model, seed: 3)
      let workspace = Workspace()
      var zeros = model.zeroParameters()
      var poisoned = model.layers.map { [Float](repeating: .nan, count: $0.count) }
      let a = try model.lossAndGradient(parameters: parameters, batch: problem.examples, into: &zeros, workspace: workspace)
      let b = try model.lossAndGradient(parameters: parameters, batch: problem.examples, into: &poisoned, workspace: workspace)
      #expect(a == b, "\(problem)")
      #expect(zeros == poisoned, "\(problem): entries were accumulated into, not written")
    }
  }

  @Test("He and Xavier initializations have the declared variance")
  func initVariance() throws {
    let input = ModelInput(featureCount: 100, task: .multiclass, classCount: 10)
    for (spec, variance) in [("mlp:hidden=64", 2.0 / 100), ("mlp:hidden=64,activation=tanh", 2.0 / 164)] {
      var rng = RandomStream(seed: 1)
      let w = try Models.make(spec, for: input).initialParameters(rng: &rng)[0]
      let mean = w.reduce(0.0) { $0 + Double($1) } / Double(w.count)
      let sampleVariance = w.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(w.count - 1)
      // The sample variance of N Gaussians has standard error σ²·√(2/N).
      #expect(abs(sampleVariance - variance) <= 5 * variance * (2 / Double(w.count)).squareRoot(), "\(spec)")
    }
  }

  @Test("losses take their textbook values")
  func knownLosses() throws {
    let multiclass = ModelInput(featureCount: 5, task: .multiclass, classCount: 4)
    let e = Fixtures.examples(for: multiclass, count: 9, seed: 2)
    let softmax = try Models.make("softmax", for: multiclass)
    #expect(abs(try softmax.evaluate(parameters: softmax.zeroParameters(), examples: e).loss - log(4)) < 1e-6)
    let binary = ModelInput(featureCount: 5, task: .binary)
    let logistic = try Models.make("logistic", for: binary)
    let b = Fixtures.examples(for: binary, count: 9, seed: 2)
    #expect(abs(try logistic.evaluate(parameters: logistic.zeroParameters(), examples: b).loss - log(2)) < 1e-6)
    let regression = ModelInput(featureCount: 5, task: .regression)
    let r = Fixtures.examples(for: regression, count: 9, seed: 2)
    let ls = try Models.make("least-squares", for: regression)
    let half = r.targets.reduce(0.0) { $0 + 0.5 * Double($1) * Double($1) } / 9
    #expect(abs(try ls.evaluate(parameters: ls.zeroParameters(), examples: r).loss - half) < 1e-6 * half)
    // Huge scores: softmax and logistic must stay finite (max subtraction, log1p form).
    var big = softmax.zeroParameters()
    big[0] = big[0].map { _ in 1e4 }
    #expect(try softmax.evaluate(parameters: big, examples: e).loss.isFinite)
  }

  @Test("a few gradient steps lower the loss (step 1/L obeys the descent lemma)", arguments: Models.registry.names)
  func descent(name: String) throws {
    for (problem, model) in try Fixtures.accepted(name, count: 16) {
      var p = Fixtures.parameters(for: model, seed: 4, noise: 0.1)
      let smoothness = try model.smoothness(on: problem.examples)
      let start = try model.evaluate(parameters: p, examples: problem.examples).loss
      var gradient = model.zeroParameters()
      let workspace = Workspace()
      for _ in 0..<10 {
        let loss = try model.lossAndGradient(parameters: p, batch: problem.examples, into: &gradient, workspace: workspace)
        let rate = smoothness.map { 1 / $0.L } ?? 0.05
        for l in p.indices { Vec.axpy(Float(-rate), gradient[l], &p[l]) }
        let next = try model.evaluate(parameters: p, examples: problem.examples).loss
        if let s = smoothness {  // f(x − ∇f/L) ≤ f(x) − ‖∇f‖²/(2L)
          let squared = gradient.reduce(0) { $0 + Vec.squaredNorm($1) }
          #expect(next <= loss - squared / (2 * s.L) + 1e-6 * max(1, loss), "\(problem)")
        }
      }
      let end = try model.evaluate(parameters: p, examples: problem.examples).loss
      #expect(end < start, "\(problem): \(start) → \(end)")
    }
  }

  @Test("evaluation does not depend on the chunk size; predictions match accuracy", arguments: Models.registry.names)
  func chunking(name: String) throws {
    for (problem, model) in try Fixtures.accepted(name, count: 11) {
      let p = Fixtures.parameters(for: model, seed: 5)
      let whole = try model.evaluate(parameters: p, examples: problem.examples, chunk: 1000)
      let pieces = try model.evaluate(parameters: p, examples: problem.examples, chunk: 3)
      #expect(abs(whole.loss - pieces.loss) <= 1e-6 * max(1, whole.loss), "\(problem)")
      #expect(whole.accuracy == pieces.accuracy && whole.count == 11, "\(problem)")
      let predictions = try model.predict(parameters: p, examples: problem.examples, chunk: 4)
      if let accuracy = whole.accuracy {
        let hits = zip(predictions.labels, problem.examples.labels).filter { $0 == $1 }.count
        #expect(Double(hits) / 11 == accuracy, "\(problem)")
      } else {
        #expect(predictions.values.count == 11 && predictions.labels.isEmpty, "\(problem)")
      }
    }
  }

  @Test("mismatches are errors that name the fix")
  func errors() throws {
    let regression = ModelInput(featureCount: 5, task: .regression)
    let binary = ModelInput(featureCount: 5, task: .binary)
    let multiclass = ModelInput(featureCount: 5, task: .multiclass, classCount: 3)
    func message(_ body: () throws -> Void) -> String {
      do { try body() } catch { return "\(error)" }
      return ""
    }
    #expect(message { _ = try Models.make("softmax", for: regression) }.contains("'least-squares'"))
    #expect(message { _ = try Models.make("least-squares", for: binary) }.contains("'logistic'"))
    #expect(message { _ = try Models.make("logistic", for: multiclass) }.contains("'softmax'"))
    #expect(message { _ = try Models.make("cnn", for: multiclass) }.contains("'mlp'"))
    #expect(message { _ = try Models.make("cnn:kernel=9", for: ModelInput(featureShape: [8, 8], task: .binary)) }.contains("kernel"))
    #expect(message { _ = try Models.make("mlp:hidden=12-x", for: multiclass) }.contains("256-128"))
    let model = try Models.make("mlp:hidden=4", for: multiclass)
    let other = Fixtures.examples(for: ModelInput(featureCount: 6, task: .multiclass, classCount: 3), count: 3, seed: 1)
    #expect(message { _ = try model.lossAndGradient(parameters: model.zeroParameters(), batch: other) }.contains("5 features"))
    var labels = Fixtures.examples(for: multiclass, count: 3, seed: 1)
    labels.labels[1] = 7
    #expect(message { _ = try model.lossAndGradient(parameters: model.zeroParameters(), batch: labels) }.contains("label 7"))
    let targets = Fixtures.examples(for: regression, count: 3, seed: 1)
    #expect(message { _ = try model.lossAndGradient(parameters: model.zeroParameters(), batch: targets) }.contains("no labels"))
    #expect(message { _ = try model.lossAndGradient(parameters: [[1]], batch: labels) }.contains("parameter layers"))
  }
}
