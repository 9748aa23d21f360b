/// What a sweep's runs race to: a test accuracy to reach, or a squared distance to the optimum to get under.
public enum SweepTarget: Sendable, Hashable {
  /// Test accuracy at or above this (checked where a run was evaluated).
  case accuracy(Double)
  /// ‖x − x*‖² at or below this (checked every step; models with a closed-form optimum).
  case distance(Double)

  /// The first record that meets the target, or `nil` when the run never did.
  public func hit(in history: [StepRecord]) -> StepRecord? {
    switch self {
    case let .accuracy(a): return history.first { ($0.testAccuracy ?? -1) >= a }
    case let .distance(e): return history.first { ($0.distanceToOptimum ?? .infinity) <= e }
    }
  }

  /// The value a record has for this target's quantity: its test accuracy or its ‖x − x*‖².
  public func value(in record: StepRecord) -> Double? {
    switch self {
    case .accuracy: return record.testAccuracy
    case .distance: return record.distanceToOptimum
    }
  }
}

extension SweepMetric {
  /// Iterations to the target: the step count of the first record that meets it (`nil`: not reached).
  public static func steps(to target: SweepTarget) -> SweepMetric {
    SweepMetric("iterations to target") { run in target.hit(in: run.history).map { Double($0.step) } }
  }

  /// Total uplink bits to the target: the exact cumulative uplink bits at the step that met it (`nil`: not reached).
  public static func bits(to target: SweepTarget) -> SweepMetric {
    SweepMetric("uplink bits to target") { run in target.hit(in: run.history).map { Double($0.cumulativeBitsUp) } }
  }

  /// Uplink bits per iteration: the run's total over its steps (exact; the same every step for fixed-size payloads).
  public static let bitsPerStep = SweepMetric("uplink bits per iteration") { run in
    run.history.last.flatMap { $0.step > 0 ? Double($0.cumulativeBitsUp) / Double($0.step) : nil }
  }

  /// The last record's ‖x − x*‖².
  public static let finalDistance = SweepMetric("final ‖x − x*‖²") { $0.history.last?.distanceToOptimum }
}

/// The worst case the compressed layers of a run declare: the largest ω of an unbiased compressor,
/// or the smallest δ of a contraction (from the first record's layers).
public enum DeclaredWorstCase: Sendable, Hashable {
  case omega(Double)
  case delta(Double)
  /// No compressed layer, or a compressor without a guarantee.
  case none

  public init(_ run: SweepRun) {
    let layers = run.history.first?.layers.filter(\.compressed) ?? []
    let worst = layers.compactMap(\.worstCase).max()
    guard let worst, !layers.isEmpty else {
      self = .none
      return
    }
    if layers.allSatisfy({ $0.guarantee == "unbiased" }) {
      self = .omega(worst)
    } else if layers.allSatisfy({ $0.guarantee == "contraction" }) {
      self = .delta(1 - worst)
    } else {
      self = .none
    }
  }

  /// The quantity the iteration count grows with: ω, or 1 − δ; `nil` without a guarantee.
  public var penalty: Double? {
    switch self {
    case let .omega(w): return w
    case let .delta(d): return 1 - d
    case .none: return nil
    }
  }
}
