import Foundation
import HSQ
import Testing

/// The distance target ‖x − x*‖² ≤ ε: `run` stops at the first step meeting it, a sweep reports iterations and exact
/// bits to it and which runs never reached it, and THEORY.md §6's bound solved for the iterations it needs.
@Suite struct DistanceTargetTests {
  /// Least squares, d = 16, 4 workers × batch 16, exact optimum.
  static func config(_ compressor: String = "identity", ef: Bool = false, lr: Double = 0.2, seed: UInt64 = 1) -> ExperimentConfig {
    var c = ExperimentConfig()
    c.dataset = "linear:d=16,n=256,n-test=0,condition=4,noise=0"
    c.model = "least-squares:bias=false"
    c.compressor = compressor
    c.errorFeedback = ef
    c.compressThreshold = 0
    c.workers = 4
    c.batch = 16
    c.lr = lr
    c.seed = seed
    return c
  }

  @Test func runStopsAtTheFirstStepUnderTheTarget() throws {
    let reference = try Experiment(Self.config())
    let distances = reference.run(until: StopCondition(steps: 60)).records.map { $0.distanceToOptimum! }
    let epsilon = distances[25]
    let first = try #require(distances.firstIndex { $0 <= epsilon })
    let e = try Experiment(Self.config())
    let outcome = e.run(until: StopCondition(steps: 60, distance: epsilon))
    #expect(outcome.reason == .distance)
    #expect(outcome.records.count == first + 1)
    #expect(outcome.reason.description == "target distance reached")
  }

  @Test func aTargetNotMetStopsAtTheCapAndIsNotReached() throws {
    let e = try Experiment(Self.config())
    let outcome = e.run(until: StopCondition(steps: 5, distance: 1e-30))
    #expect(outcome.reason == .steps)
    #expect(SweepTarget.distance(1e-30).hit(in: e.history) == nil)
  }

  @Test func aDistanceTargetNeedsAClosedFormOptimum() throws {
    var c = Self.config()
    c.dataset = "gaussian-mixture:classes=4,d=40,n=800,n-test=200"
    c.model = "mlp:hidden=8"
    let outcome = try Experiment(c).run(until: StopCondition(steps: 5, distance: 0.1))
    guard case let .failed(message) = outcome.reason else { Issue.record("expected a failure, got \(outcome.reason)"); return }
    #expect(message.contains("closed form") && message.contains("least-squares"))
    #expect(outcome.records.isEmpty)
  }

  /// An optimum whose solve does not fit the memory budget is not "none in closed form": the run says it is the
  /// budget, and the solve is tried again under a larger one (it was cached as missing).
  @Test func anOptimumOverTheMemoryBudgetSaysSoAndIsSolvedUnderALargerOne() throws {
    var c = Self.config()
    c.dataset = "linear:d=600,n=640,n-test=0,condition=4,noise=0"  // Cholesky: two 600×600 Double matrices, 5.8 MB
    let e = try Experiment(c)
    let tight = MemoryBudget(bytes: 4 << 20, origin: "test")
    let refused = MemoryBudget.$current.withValue(tight) { e.run(until: StopCondition(steps: 5, distance: 0.1)) }
    guard case let .failed(message) = refused.reason else { Issue.record("expected a failure, got \(refused.reason)"); return }
    #expect(message.contains("memory") && message.contains("limit") && !message.contains("none in closed form"), "\(message)")
    #expect(refused.records.isEmpty)
    let stepped = try MemoryBudget.$current.withValue(tight) { try e.step() }
    #expect(stepped.distanceToOptimum == nil, "a step under the tight budget records no distance, and goes on")
    let solved = e.run(until: StopCondition(steps: 1, distance: 1e-30))
    #expect(solved.reason == .steps)
    #expect(solved.records.first?.distanceToOptimum != nil)
  }

  /// With eval-every set, an accuracy target is checked at those evaluations only (it evaluated every step before).
  @Test func anAccuracyTargetWithEvalEveryEvaluatesOnlyThere() throws {
    var c = SmallExperiment.config(workers: 2, seed: 0)
    c.evalEvery = 4
    let e = try Experiment(c)
    let outcome = e.run(until: StopCondition(steps: 6, accuracy: 1.01))
    #expect(outcome.reason == .steps)
    #expect(outcome.records.map { $0.testAccuracy != nil } == [false, false, false, true, false, false])
  }

  /// With test-subset an accuracy target is confirmed on the whole test set: the run stops on the figure of every
  /// test example, so the record it stopped at, and a sweep's iterations to target, agree with its stop reason.
  @Test func anAccuracyTargetWithATestSubsetIsConfirmedOnTheWholeTestSet() throws {
    var c = SmallExperiment.config(workers: 2, lr: 0.2, seed: 0)
    c.testSubset = 10
    let e = try Experiment(c)
    let outcome = e.run(until: StopCondition(steps: 20, accuracy: 0.5))
    try #require(outcome.reason == .accuracy, "reached within 20 steps: \(outcome.records.map { $0.testAccuracy ?? -1 })")
    let last = try #require(outcome.records.last)
    #expect(last.testExamples == 200 && last.testAccuracy! >= 0.5, "\(last)")
    #expect(outcome.records.dropLast().allSatisfy { $0.testAccuracy! < 0.5 })
    #expect(SweepTarget.accuracy(0.5).hit(in: e.history)?.step == last.step)
    #expect(e.history.last?.testExamples == 200)
  }

  /// Iterations and bits to target are the step and cumulative uplink bits of the first record that met it;
  /// a seed that never met it has no value and is counted out.
  @Test func sweepMetricsReadTheFirstRecordMeetingTheTarget() throws {
    let plan = try SweepPlan(
      base: Self.config(), axes: [.init(setting: "compressor", values: ["identity", "hsq-unbiased:dim=4,k=auto"])], seeds: [0, 1, 2],
      condition: StopCondition(steps: 40))
    let sweep = try Sweep.run(name: "t", plan: plan, jobs: 2)
    let epsilon = sweep.runs(ofConfiguration: 0).map { $0.history[19].distanceToOptimum! }.max()!
    let target = SweepTarget.distance(epsilon)
    for run in sweep.runs {
      let hit = target.hit(in: run.history)
      let first = run.history.first { $0.distanceToOptimum! <= epsilon }
      #expect(hit == first)
      #expect(SweepMetric.steps(to: target).value(run) == first.map { Double($0.step) })
      #expect(SweepMetric.bits(to: target).value(run) == first.map { Double($0.cumulativeBitsUp) })
      let perStep = Double(run.history[0].bitsUp)
      #expect(SweepMetric.bitsPerStep.value(run) == perStep, "fixed-size payloads: the same bits every step")
    }
    #expect(sweep.runs(ofConfiguration: 0).allSatisfy { target.hit(in: $0.history) != nil })
    // identity declares ω = 0; hsq-unbiased with k=auto (D = 4, K = 64) its codebook's ω.
    #expect(DeclaredWorstCase(sweep.runs[0]) == .omega(0))
    guard case let .omega(w) = DeclaredWorstCase(sweep.runs(ofConfiguration: 1)[0]) else { Issue.record("expected ω"); return }
    #expect(w > 0)
    let never = SweepTarget.distance(0)
    #expect(sweep.summary(configuration: 0, .steps(to: never)) == nil)
  }

  /// A sweep stops each run at the target when the plan's condition has one, and the others at the cap.
  @Test func aSweepWithADistanceConditionStopsEachRunAtIt() throws {
    let plan = try SweepPlan(base: Self.config(), axes: [], seeds: [0, 1], condition: StopCondition(steps: 200, distance: 0.05))
    let sweep = try Sweep.run(name: "t", plan: plan, jobs: 1)
    for run in sweep.runs {
      #expect(run.stop == "target distance reached")
      #expect(run.history.last!.distanceToOptimum! <= 0.05)
      #expect(run.history.dropLast().allSatisfy { $0.distanceToOptimum! > 0.05 })
    }
  }
}

/// The least-squares optimum past the eigen path's limit, which the distance target needs at d ≥ 4096.
@Suite struct LargeLeastSquaresOptimumTests {
  /// d + 1 > 512, where the model had no optimum before: a realizable whitened problem gives x* = w* (to the
  /// Float rounding of the data), and the gradient there vanishes.
  @Test func leastSquaresPastTheEigenLimitHasAnOptimum() throws {
    let generated = try LinearDataset.generate(try Datasets.parameters("linear:d=520,n=560,n-test=0,condition=4,noise=0"))
    let train = generated.dataset.train
    let model = try Models.make("least-squares:bias=false", for: ModelInput(featureCount: 520, task: .regression))
    let optimum = try #require(try model.optimum(on: train))
    let distance = zip(optimum.parameters[0], generated.trueWeights).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
    #expect(distance <= 1e-8)
    #expect(optimum.loss <= 1e-10)
    let gradient = try model.lossAndGradient(parameters: optimum.parameters, batch: train).gradient
    #expect(Vec.squaredNorm(gradient[0]) <= 1e-10)
  }
}

/// ``GeometricBound``: the bounds of THEORY.md §6 taken apart and solved for T.
@Suite struct GeometricBoundTests {
  @Test(arguments: [1e-1, 3e-2, 1e-3, 0.5001])
  func stepsAreTheFirstTTheBoundReaches(epsilon: Double) throws {
    let b = GeometricBound(scale: 2, rate: 0.97, floor: 1e-4)
    let t = try #require(b.steps(toReach: epsilon))
    #expect(b.value(steps: t) <= epsilon)
    if t > 0 { #expect(b.value(steps: t - 1) > epsilon) }
    let r = try #require(b.rateSteps(toReach: epsilon))
    #expect(2 * pow(0.97, Double(r)) <= epsilon && (r == 0 || 2 * pow(0.97, Double(r - 1)) > epsilon))
  }

  @Test func vacuousWhenTheFloorIsAtOrAboveTheTarget() {
    let b = GeometricBound(scale: 1, rate: 0.9, floor: 0.2)
    #expect(b.steps(toReach: 0.2) == nil)
    #expect(b.steps(toReach: 0.1) == nil)
    #expect(b.rateSteps(toReach: 0.1) == 22)  // 0.9^22 = 0.098 ≤ 0.1 < 0.9^21 = 0.109
    #expect(GeometricBound(scale: 1, rate: 1, floor: 0).steps(toReach: 0.5) == nil)
    #expect(b.steps(toReach: 1.2) == 0)
  }

  /// The parts evaluate to the same bound as ``ConvergenceBounds`` (to rounding).
  @Test func partsReproduceTheBounds() {
    let x = ConvergenceInputs(L: 1, mu: 0.1, sigma2: 2.6, workers: 8, eta: 0.002, initialGap: 0.19, initialDistance: 1, m2: 0.54, g2: 2.9)
    for t in [0, 1, 10, 1000] {
      let u = ConvergenceBounds.unbiasedStronglyConvexParts(x, omega: 511).value(steps: t)
      #expect(abs(u - ConvergenceBounds.unbiasedStronglyConvex(x, omega: 511, steps: t)) <= 1e-12 * u)
      let e = ConvergenceBounds.errorFeedbackStronglyConvexParts(x, delta: 0.01).value(steps: t)
      #expect(abs(e - ConvergenceBounds.errorFeedbackStronglyConvex(x, delta: 0.01, steps: t)) <= 1e-12 * e)
    }
  }

  /// The prediction of a fresh least-squares experiment uses bound (ii) with its measured constants.
  @Test func experimentPredictionUsesTheMeasuredConstants() throws {
    let e = try Experiment(DistanceTargetTests.config("hsq-unbiased:dim=4,k=auto", lr: 0.05))
    let p = try e.prediction(toReach: 0.01)
    #expect(p.report.result.hasPrefix("unbiased"))
    let omega = try #require(p.report.omega)
    #expect(p.bound == ConvergenceBounds.unbiasedStronglyConvexParts(p.report.inputs, omega: omega))
    #expect(p.steps == p.bound.steps(toReach: 0.01))
  }
}
