import HSQCore
import HSQExperiments

/// A quantity `plot` draws from an experiment's step records; the raw values are what `plot` takes.
public enum PlotMetric: String, NamedChoice {
  case loss
  case testLoss = "test-loss"
  case accuracy
  case bits
  /// The observed error of one layer, with its bound and worst case (``LayerRecord``).
  case rho
  case gradNorm = "grad-norm"
  case distance
  case lr
  /// Bytes per step handed to a transport (`backend=mpi`), up and down; none in process.
  case wireUp = "wire-up"
  case wireDown = "wire-down"
  /// Seconds per step rank 0 waited on the wire beyond the slowest worker process.
  case communicate

  /// The label of the metric's axis.
  public var label: String {
    switch self {
    case .loss: return "training loss"
    case .testLoss: return "test loss"
    case .accuracy: return "test accuracy"
    case .bits: return "cumulative uplink bits"
    case .rho: return "ρ = ‖Q(p) − p‖²/‖p‖²"
    case .gradNorm: return "‖ḡ‖"
    case .distance: return "‖x − x*‖²"
    case .lr: return "learning rate"
    case .wireUp: return "bytes up per step (wire)"
    case .wireDown: return "bytes down per step (wire)"
    case .communicate: return "communicate s/step (wire)"
    }
  }

  /// The metric's value in `record` (NaN where the step has none); `nil` for ``rho``, which is per layer.
  public func value(in record: StepRecord) -> Double? {
    switch self {
    case .loss: return record.trainLoss
    case .testLoss: return record.testLoss ?? .nan
    case .accuracy: return record.testAccuracy ?? .nan
    case .bits: return Double(record.cumulativeBitsUp)
    case .rho: return nil
    case .gradNorm: return record.gradientNorm ?? .nan
    case .distance: return record.distanceToOptimum ?? .nan
    case .lr: return record.lr
    case .wireUp: return record.wire.map { Double($0.bytesUp) } ?? .nan
    case .wireDown: return record.wire.map { Double($0.bytesDown) } ?? .nan
    case .communicate: return record.wire?.communicateSeconds ?? .nan
    }
  }

  /// Whether the metric is a transport's wire figure (steps run in process have none).
  public var isWire: Bool { self == .wireUp || self == .wireDown || self == .communicate }

  /// Whether the values are fractions shown in percent, as the REPL prints test accuracy.
  public var isPercent: Bool { self == .accuracy }
}

/// The horizontal axis of a metric plot: `plot --x`.
public enum PlotXAxis: String, NamedChoice {
  case step
  case epoch
  case bits
  /// Seconds since step 0: simulated under a `network` model, else measured wall time.
  case time

  /// The axis label.
  public var label: String {
    switch self {
    case .bits: return "cumulative uplink bits"
    case .time: return "time (s)"
    default: return rawValue
    }
  }

  /// The record's position on this axis.
  public func value(in record: StepRecord) -> Double {
    switch self {
    case .step: return Double(record.step)
    case .epoch: return record.epoch
    case .bits: return Double(record.cumulativeBitsUp)
    case .time: return record.timeSeconds
    }
  }
}
