import HSQ
import HSQCore
@testable import HSQExperiments
import Testing

/// Each server optimizer's first steps against hand computations (Reddi et al. 2021, Algorithm 2, for the adaptive ones).
@Suite struct ServerOptimizerTests {
  /// Runs `steps` updates of `spec` on one layer from `x0`, returning x, the state and the steps' contexts.
  static func run(_ spec: String, x0: [Float], updates: [[Float]], context: ServerStepContext = .plain) throws -> (x: [Float], state: [[Float]]) {
    let optimizer = try ServerOptimizers.make(spec)
    var x = x0
    var state = optimizer.stateSlots.map { [Float](repeating: $0.initial, count: x0.count) }
    for (t, g) in updates.enumerated() {
      var c = context
      c.completedSteps = t
      optimizer.step(g, parameters: &x, state: &state, context: c)
    }
    return (x, state)
  }

  @Test func fedAdamsFirstTwoStepsAreThePapersArithmetic() throws {
    // β₁ = 1/2, β₂ = 3/4, τ = 2 (v₋₁ = τ² = 4), η = 1: every quantity is exact in binary.
    let spec = "fedadam:lr=1,beta1=0.5,beta2=0.75,tau=2"
    // Step 1, g = 2: m = ½·0 + ½·2 = 1; v = ¾·4 + ¼·4 = 4; x = 1 − 1·1/(√4 + 2) = 0.75.
    let one = try Self.run(spec, x0: [1, 1], updates: [[2, 0]])
    #expect(one.state == [[1, 0], [4, 3]])
    #expect(one.x == [0.75, 1])
    // Step 2, g = −2: m = ½·1 − 1 = −0.5; v = ¾·4 + ¼·4 = 4; x = 0.75 + 0.5/4 = 0.875.
    let two = try Self.run(spec, x0: [1, 1], updates: [[2, 0], [-2, 0]])
    #expect(two.state == [[-0.5, 0], [4, 2.25]])
    #expect(two.x == [0.875, 1])
    // Step 3, g = 1: m = −0.25 + 0.5 = 0.25; v = 3 + 0.25 = 3.25; x = 0.875 − 0.25/(√3.25 + 2), in Float as written.
    let three = try Self.run(spec, x0: [1, 1], updates: [[2, 0], [-2, 0], [1, 0]])
    #expect(three.state[0][0] == 0.25 && three.state[1][0] == 3.25)
    #expect(three.x[0] == 0.875 - Float(1) * 0.25 / (Float(3.25).squareRoot() + 2))
  }

  @Test func fedAdamWithBiasCorrectionScalesTheStepAndStartsVAtZero() throws {
    let optimizer = try ServerOptimizers.make("fedadam:lr=1,beta1=0.5,beta2=0.75,tau=2,bias-correction=true")
    #expect(optimizer.stateSlots.map(\.initial) == [0, 0])
    // t = 1: η₁ = √(1 − ¾)/(1 − ½) = 1; m = 1, v = ¼·4 = 1; x = 1 − 1/(1 + 2).
    let one = try Self.run(optimizer.spec, x0: [1], updates: [[2]])
    #expect(one.state == [[1], [1]])
    #expect(one.x[0] == 1 - Float(1) * 1 / (Float(1).squareRoot() + 2))
    // t = 2: η₂ = √(1 − 9/16)/(1 − ¼) = √7/3; m = ½ + 1 = 1.5, v = ¾ + 1 = 1.75.
    let two = try Self.run(optimizer.spec, x0: [1], updates: [[2], [2]])
    #expect(two.state == [[1.5], [1.75]])
    let eta = Float((1 - 0.5625).squareRoot() / 0.75)
    #expect(two.x[0] == one.x[0] - eta * 1.5 / (Float(1.75).squareRoot() + 2))
  }

  @Test func fedYogisSecondMomentMovesBySignOfVMinusGSquared() throws {
    let spec = "fedyogi:lr=1,beta1=0.5,beta2=0.75,tau=2"
    // Step 1, g = 2: g² = 4 = v, sign 0: v stays 4; m = 1; x = 1 − 1/(2 + 2) = 0.75. Coordinate 2, g = 0: v = 4 − 0·(+1) = 4.
    let one = try Self.run(spec, x0: [1, 1], updates: [[2, 0]])
    #expect(one.state == [[1, 0], [4, 4]])
    #expect(one.x == [0.75, 1])
    // Step 2, g = 4: g² = 16 > v, v grows by ¼·16: 8; g = 1 at coordinate 2: v > g², v shrinks by ¼: 3.75.
    let two = try Self.run(spec, x0: [1, 1], updates: [[2, 0], [4, 1]])
    #expect(two.state == [[2.5, 0.5], [8, 3.75]])
    #expect(two.x[0] == 0.75 - Float(1) * 2.5 / (Float(8).squareRoot() + 2))
    #expect(two.x[1] == 1 - Float(1) * 0.5 / (Float(3.75).squareRoot() + 2))
  }

  @Test func fedAdagradsSecondMomentSumsTheSquares() throws {
    // β₁ = 0 (plain Adagrad), τ = 1 (v₋₁ = 1), η = 0.5.
    let spec = "fedadagrad:lr=0.5,beta1=0,tau=1"
    // Step 1, g = 3: m = 3, v = 1 + 9 = 10; step 2, g = −4: m = −4, v = 26; step 3, g = 0: m = 0, v = 26.
    let three = try Self.run(spec, x0: [2], updates: [[3], [-4], [0]])
    #expect(three.state == [[0], [26]])
    var x: Float = 2
    x = x - Float(0.5) * 3 / (Float(10).squareRoot() + 1)
    x = x - Float(0.5) * -4 / (Float(26).squareRoot() + 1)
    #expect(three.x == [x])
    #expect(try ServerOptimizers.make("fedadagrad").stateSlots == [ServerStateSlot("m"), ServerStateSlot("v", initial: 1e-6)])
  }

  @Test func fedAvgMIsHeavyBallWithItsOwnRateAndTheSchedule() throws {
    // v = ½·v + g; x = x − η·v with η = lr · schedule factor = 0.5 · 0.5.
    var context = ServerStepContext.plain
    context.scheduleFactor = 0.5
    let two = try Self.run("fedavgm:lr=0.5,momentum=0.5", x0: [1], updates: [[2], [4]], context: context)
    // v₁ = 2, x₁ = 1 − 0.25·2 = 0.5; v₂ = 1 + 4 = 5, x₂ = 0.5 − 1.25 = −0.75.
    #expect(two.state == [[5]])
    #expect(two.x == [-0.75])
  }

  @Test func sgdTakesTheExperimentsRateAndMomentum() throws {
    var context = ServerStepContext.plain
    context.learningRate = 0.25
    context.momentum = 0.5
    let two = try Self.run("sgd", x0: [1], updates: [[2], [4]], context: context)
    // v₁ = 2, x₁ = 0.5; v₂ = 1 + 4 = 5, x₂ = 0.5 − 1.25.
    #expect(two.state == [[5]])
    #expect(two.x == [-0.75])
  }

  @Test func specsAreCanonicalAndBadParametersNameTheFix() throws {
    #expect(try ServerOptimizers.make("fedadam").spec == "fedadam:lr=0.01,beta1=0.9,beta2=0.99,tau=0.001")
    #expect(try ServerOptimizers.make("fedadagrad:tau=1e-2").spec == "fedadagrad:lr=0.01,beta1=0.9,tau=0.01")
    #expect(try ServerOptimizers.make("fedavgm").spec == "fedavgm:lr=1,momentum=0.9")
    let outOfRange = #expect(throws: HSQError.self) { try ServerOptimizers.make("fedadam:beta1=1") }
    #expect(outOfRange?.description.contains("'beta1'") == true && outOfRange?.description.contains("0...0.999999") == true)
    let typo = #expect(throws: HSQError.self) { try ServerOptimizers.make("fedadam:beta=0.9") }
    #expect(typo?.description.contains("Did you mean 'beta1'?") == true)
    let unknown = #expect(throws: HSQError.self) { try ServerOptimizers.make("fedadm") }
    #expect(unknown?.description.contains("Did you mean 'fedadam'?") == true)
  }
}

extension ServerStepContext {
  /// Rate 1, no schedule, no momentum, the first step.
  static let plain = ServerStepContext(learningRate: 1, scheduleFactor: 1, momentum: 0, completedSteps: 0)
}
