import HSQCompressors
import HSQCore

extension CompressorContract {
  /// The Monte Carlo checks: unbiasedness, expected error and error bound, each within k standard errors.
  ///
  /// Vectors of every kind but zero at lengths 1, 7 and 37 with `options.draws` draws, and one
  /// Gaussian vector of length 1027 with `options.longDraws`; a deterministic compressor needs one draw.
  ///
  /// - Returns: three results, `unbiasedness`, `expected error` and `error bound`.
  public static func statistics(_ c: any Compressor, options: Options = Options()) -> [ContractCheckResult] {
    var checks = StatisticsRecorders()
    let deterministic = c.properties.isDeterministic
    for d in [1, 7, 37] {
      for kind in [ContractVector.gaussian, .spike, .constant, .adversarial] {
        checkStatistics(c, kind.vector(d), "\(c.spec) d=\(d) \(kind)", draws: deterministic ? 1 : options.draws, k: options.k, &checks)
      }
    }
    // One long vector, fewer draws: the formulas at a size with many buckets and blocks.
    checkStatistics(c, ContractVector.gaussian.vector(1024 + 3), "\(c.spec) d=1027 gaussian",
                    draws: deterministic ? 1 : options.longDraws, k: options.k, &checks)
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
                              _ checks: inout StatisticsRecorders) {
    let d = v.count
    var sums = [Double](repeating: 0, count: d)
    var errors: [Double] = []
    errors.reserveCapacity(n)
    do {
      for draw in 0..<n {
        // Cancelled (Ctrl-C): stop drawing; ``CompressorContract/check(_:options:)`` then throws.
        if draw & 1023 == 0, Cancellation.current?.isCancelled == true { return }
        var rng = RandomStream.derived(from: 11, purpose: "contract-draw", draw)
        let out = try c.decode(c.encode(v, rng: &rng), length: d)
        guard out.count == d else {
          checks.unbiased.fail("\(label): decoded \(out.count) values")
          return
        }
        for i in 0..<d { sums[i] += Double(out[i]) }
        errors.append(Vec.squaredDistance(out, v))
      }
    } catch {
      checks.unbiased.fail("\(label): threw \(error)")
      return
    }
    let norm = Vec.squaredNorm(v)
    let (meanError, se) = ContractStatistics.meanAndStandardError(errors)
    let exact = c.expectedError(v)
    let bound = c.errorBound(v)
    if let exact {
      checks.exact.expect(abs(meanError - exact) <= k * se + ContractStatistics.floatSlack(norm + exact),
                          "\(label): mean ‖Q(v) − v‖² = \(meanError) ± \(se) (n = \(n)), expectedError \(exact)")
    }
    if let bound {
      checks.bound.expect(meanError <= bound + k * se + ContractStatistics.floatSlack(norm + bound),
                          "\(label): mean ‖Q(v) − v‖² = \(meanError) ± \(se) (n = \(n)) above errorBound \(bound)")
    }
    guard c.properties.isUnbiased, let variance = exact ?? bound else { return }
    // σ² = E‖Q(v) − v‖² bounds every coordinate's variance.
    let sigma = variance.squareRoot()
    for i in 0..<d {
      let mean = sums[i] / Double(n)
      let tolerance = k * sigma / Double(n).squareRoot() + ContractStatistics.floatSlack(Double(abs(v[i])) + sigma)
      checks.unbiased.expect(abs(mean - Double(v[i])) <= tolerance,
                             "\(label): mean Q(v)[\(i)] = \(mean), v[\(i)] = \(v[i]), tolerance \(formatNumber(k))σ/√n = \(tolerance)")
    }
  }
}
