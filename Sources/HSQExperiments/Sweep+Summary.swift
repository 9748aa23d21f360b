/// A quantity a sweep summarizes per run: from the run's last record (accuracy, loss, bits) or its whole history.
public struct SweepMetric: Sendable {
  public let name: String
  public let value: @Sendable (SweepRun) -> Double?

  public init(_ name: String, _ value: @escaping @Sendable (SweepRun) -> Double?) {
    self.name = name
    self.value = value
  }

  /// The final test accuracy (the whole test set: a sweep evaluates every run's last step).
  public static let accuracy = SweepMetric("test accuracy") { $0.history.last?.testAccuracy }
  /// The final test loss.
  public static let testLoss = SweepMetric("test loss") { $0.history.last?.testLoss }
  /// The total uplink bits.
  public static let bitsUp = SweepMetric("uplink bits") { $0.history.last.map { Double($0.cumulativeBitsUp) } }
}

extension Sweep {
  /// The mean ± CI of `metric` over configuration `index`'s runs that have a value; `nil` when none has.
  public func summary(configuration index: Int, _ metric: SweepMetric, level: Double = 0.95) -> SampleSummary? {
    let values = runs(ofConfiguration: index).filter { !$0.failed }.compactMap(metric.value).filter(\.isFinite)
    return values.isEmpty ? nil : SampleSummary(values, level: level)
  }

  /// The paired difference (configuration `b` − configuration `a`) of `metric` over the seeds both finished with a value.
  ///
  /// - Returns: the summary of the per-seed differences and the seeds used; `nil` without a common seed.
  public func paired(_ a: Int, _ b: Int, _ metric: SweepMetric, level: Double = 0.95) -> (summary: SampleSummary, seeds: [UInt64])? {
    func bySeed(_ c: Int) -> [UInt64: Double] {
      var map: [UInt64: Double] = [:]
      for run in runs(ofConfiguration: c) where !run.failed {
        if let v = metric.value(run), v.isFinite { map[run.seed] = v }
      }
      return map
    }
    let left = bySeed(a), right = bySeed(b)
    let seeds = plan.seeds.filter { left[$0] != nil && right[$0] != nil }
    guard !seeds.isEmpty else { return nil }
    return (SampleSummary.paired(seeds.map { left[$0]! }, seeds.map { right[$0]! }, level: level), seeds)
  }

  /// Configuration `index`'s mean curve of `y` against `x` with its CI band, over the steps every one of its runs recorded a `y` at.
  ///
  /// x is averaged across runs too (it differs between seeds only for bits and time).
  public func meanCurve(
    configuration index: Int, x: (StepRecord) -> Double, y: (StepRecord) -> Double?, level: Double = 0.95
  ) -> (x: [Double], mean: [Double], low: [Double], high: [Double]) {
    let group = runs(ofConfiguration: index).filter { !$0.failed }
    guard let shortest = group.map(\.history.count).min(), shortest > 0 else { return ([], [], [], []) }
    var out: (x: [Double], mean: [Double], low: [Double], high: [Double]) = ([], [], [], [])
    for i in 0..<shortest {
      let ys = group.compactMap { y($0.history[i]) }.filter(\.isFinite)
      guard ys.count == group.count else { continue }
      let s = SampleSummary(ys, level: level)
      out.x.append(group.map { x($0.history[i]) }.reduce(0, +) / Double(group.count))
      out.mean.append(s.mean)
      out.low.append(s.mean - (s.halfWidth ?? 0))
      out.high.append(s.mean + (s.halfWidth ?? 0))
    }
    return out
  }
}
