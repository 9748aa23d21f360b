import HSQCompressors
import HSQCore

extension CompressorContract {
  /// The Monte Carlo checks: unbiasedness, expected error and error bound, each within k standard errors.
  ///
  /// Vectors of every kind but zero at lengths 1, 7 and 37 with `options.draws` draws, and one
  /// Gaussian vector of length 1027 with `options.longDraws`; a deterministic compressor needs one draw.
  /// Unbiasedness is checked per coordinate, each against its own standard error, and along v
  /// (the mean of ⟨Q(v) − v, v⟩/‖v‖), which catches a small bias spread over every coordinate
  /// such as a scale of 1.02 (see ``unbiasedness(_:_:_:k:perCoordinate:_:)``).
  ///
  /// - Returns: three results, `unbiasedness`, `expected error` and `error bound`.
  public static func statistics(_ c: any Compressor, options: Options = Options()) -> [ContractCheckResult] {
    var checks = StatisticsRecorders()
    let deterministic = c.properties.isDeterministic
    for d in [1, 7, 37] {
      for kind in [ContractVector.gaussian, .spike, .constant, .adversarial] {
        checkStatistics(c, kind.vector(d), "\(c.spec) d=\(d) \(kind)", draws: deterministic ? 1 : options.draws, k: options.k,
                        perCoordinate: true, &checks)
      }
    }
    // One long vector, fewer draws: the formulas at a size with many buckets and blocks. Its
    // unbiasedness is checked along v only: with 100 draws a coordinate of random-k (kept with
    // probability 11/1027) moves about once, where a mean is not normal and k·σ/√n is no tolerance.
    checkStatistics(c, ContractVector.gaussian.vector(1024 + 3), "\(c.spec) d=1027 gaussian",
                    draws: deterministic ? 1 : options.longDraws, k: options.k, perCoordinate: false, &checks)
    checks.unbiased.unlessChecked = "declared biased"
    checks.exact.unlessChecked = "expectedError gives no value"
    checks.bound.unlessChecked = "errorBound gives no value"
    return [checks.unbiased.result, checks.exact.result, checks.bound.result]
  }

  struct StatisticsRecorders {
    var unbiased = CheckRecorder("unbiasedness")
    var exact = CheckRecorder("expected error")
    var bound = CheckRecorder("error bound")
  }

  /// Draws `n` outputs for `v`; checks the mean against v (unbiased), the mean error
  /// against expectedError and errorBound, each within k standard errors.
  static func checkStatistics(_ c: any Compressor, _ v: [Float], _ label: String, draws n: Int, k: Double,
                              perCoordinate: Bool, _ checks: inout StatisticsRecorders) {
    var draws = DrawMoments(v)
    do {
      for draw in 0..<n {
        // Cancelled (Ctrl-C): stop drawing; ``CompressorContract/check(_:options:)`` then throws.
        if draw & 1023 == 0, Cancellation.current?.isCancelled == true { return }
        var rng = RandomStream.derived(from: 11, purpose: "contract-draw", draw)
        let out = try c.decode(c.encode(v, rng: &rng), length: v.count)
        guard out.count == v.count else {
          checks.unbiased.fail("\(label): decoded \(out.count) values")
          return
        }
        draws.add(out)
      }
    } catch {
      checks.unbiased.fail("\(label): threw \(error)")
      return
    }
    let norm = Vec.squaredNorm(v)
    let (meanError, se) = ContractStatistics.meanAndStandardError(draws.errors)
    if let exact = c.expectedError(v) {
      checks.exact.expect(abs(meanError - exact) <= k * se + ContractStatistics.floatSlack(norm + exact),
                          "\(label): mean ‖Q(v) − v‖² = \(meanError) ± \(se) (n = \(n)), expectedError \(exact)")
    }
    if let bound = c.errorBound(v) {
      checks.bound.expect(meanError <= bound + k * se + ContractStatistics.floatSlack(norm + bound),
                          "\(label): mean ‖Q(v) − v‖² = \(meanError) ± \(se) (n = \(n)) above errorBound \(bound)")
    }
    if c.properties.isUnbiased {
      unbiasedness(c, draws, label, k: k, perCoordinate: perCoordinate, &checks.unbiased)
    }
  }

  /// E Q(v) = v, tested per coordinate and along v.
  ///
  /// ```
  /// per coordinate  |mean Q(v)_i − v_i| ≤ k·σ_i/√n
  ///                 σ_i² = coordinateVariances(v)_i where the compressor gives it, else
  ///                 max(s_i², s̄²): s_i² the coordinate's sample variance, s̄² their mean
  /// along v         |mean ⟨Q(v) − v, v⟩/‖v‖| ≤ k·SE   (SE of the n projections)
  /// ```
  ///
  /// Each coordinate has its own tolerance (a tolerance from the total error σ² = E‖Q(v) − v‖²
  /// would be √d times too wide on average). The floor s̄ covers coordinates whose deviations
  /// are rare events (random-k's unkept coordinates, QSGD's small entries): n draws may show
  /// none, and their sample variance is then 0, not their variance. A bias spread thinly over
  /// all coordinates — a scale 1 + ε — adds up along v: the projection's mean is ε‖v‖ while its
  /// standard error is about σ/√(d·n) for errors spread evenly over the coordinates, so ε is
  /// detected once ε‖v‖ > k·σ/√(d·n), e.g. ε ≈ 0.011 for ω = 1, d = 37, n = 2000.
  static func unbiasedness(_ c: any Compressor, _ draws: DrawMoments, _ label: String, k: Double,
                           perCoordinate: Bool, _ r: inout CheckRecorder) {
    let v = draws.v, d = v.count, n = Double(draws.count)
    alongV(draws, label, k: k, &r)
    guard perCoordinate else { return }
    let sampleVariances = draws.sampleVariances()
    let floor = sampleVariances.reduce(0, +) / Double(d)
    let theory = c.coordinateVariances(v)
    let source = theory == nil ? "sample" : "theory"
    for i in 0..<d {
      let variance = theory?[i] ?? max(sampleVariances[i], floor)
      let sigma = variance.squareRoot()
      let mean = draws.sums[i] / n
      let tolerance = k * sigma / n.squareRoot() + ContractStatistics.floatSlack(Double(abs(v[i])) + sigma)
      r.expect(abs(mean - Double(v[i])) <= tolerance,
               "\(label): mean Q(v)[\(i)] = \(mean), v[\(i)] = \(v[i]), tolerance \(formatNumber(k))σᵢ/√n = \(tolerance) (σᵢ² = \(variance) from the \(source))")
    }
  }

  /// The mean of ⟨Q(v) − v, v⟩/‖v‖ within k standard errors of 0.
  static func alongV(_ draws: DrawMoments, _ label: String, k: Double, _ r: inout CheckRecorder) {
    guard draws.norm > 0 else { return }
    let n = Double(draws.count)
    let (mean, se) = ContractStatistics.meanAndStandardError(draws.projections)
    let slack = ContractStatistics.floatSlack(draws.norm + (draws.errors.reduce(0, +) / n).squareRoot())
    r.expect(abs(mean) <= k * se + slack,
             "\(label): mean ⟨Q(v) − v, v⟩/‖v‖ = \(mean) ± \(se) (n = \(draws.count)), expected 0: a bias along v")
  }
}

/// The running sums of a compressor's draws for one vector v.
struct DrawMoments {
  let v: [Float]
  /// ‖v‖.
  let norm: Double
  private(set) var count = 0
  /// Σ Q(v)_i and Σ (Q(v)_i − v_i)² over the draws.
  private(set) var sums: [Double]
  private(set) var squares: [Double]
  /// ‖Q(v) − v‖² and ⟨Q(v) − v, v⟩/‖v‖, one per draw.
  private(set) var errors: [Double] = []
  private(set) var projections: [Double] = []

  init(_ v: [Float]) {
    self.v = v
    norm = Vec.squaredNorm(v).squareRoot()
    sums = [Double](repeating: 0, count: v.count)
    squares = sums
  }

  mutating func add(_ out: [Float]) {
    count += 1
    var error = 0.0, projection = 0.0
    for i in 0..<v.count {
      let x = Double(out[i]), deviation = x - Double(v[i])
      sums[i] += x
      squares[i] += deviation * deviation
      error += deviation * deviation
      projection += deviation * Double(v[i])
    }
    errors.append(error)
    projections.append(norm > 0 ? projection / norm : 0)
  }

  /// Each coordinate's sample variance (n − 1 in the denominator; 0 for one draw).
  func sampleVariances() -> [Double] {
    guard count > 1 else { return [Double](repeating: 0, count: v.count) }
    let n = Double(count)
    return (0..<v.count).map { i in
      let meanDeviation = sums[i] / n - Double(v[i])
      return max(0, (squares[i] - n * meanDeviation * meanDeviation) / (n - 1))
    }
  }
}
