import Foundation
import HSQ

extension Session {
  /// `plot METRIC --sweep NAME`: each configuration's mean curve over its seeds with its 95 % CI band (dashed).
  func plotSweep(_ args: ParsedArguments, sweep: Sweep, metric: String, label: String, axis: String) throws -> CommandOutput {
    let y: (StepRecord) -> Double? = { r in
      switch metric {
      case "loss": return r.trainLoss
      case "test-loss": return r.testLoss
      case "accuracy": return r.testAccuracy
      case "bits": return Double(r.cumulativeBitsUp)
      case "grad-norm": return r.gradientNorm
      case "distance": return r.distanceToOptimum
      case "lr": return r.lr
      default: return nil
      }
    }
    guard metric != "rho" else { throw HSQError.invalidArgument("'plot rho' shows one experiment's layers; with --sweep plot loss, accuracy, test-loss, bits, grad-norm, distance or lr.") }
    var series: [PlotSeries] = []
    var curves: [JSONValue] = []
    let plan = sweep.plan
    for c in 0..<plan.configurationCount {
      let curve = sweep.meanCurve(configuration: c, x: { Self.axisValue($0, axis) }, y: y)
      let name = plan.configurationCount > 1 ? "c\(c + 1) \(plan.label(ofConfiguration: c))" : plan.label(ofConfiguration: c)
      series.append(PlotSeries(name: name, x: curve.x, y: curve.mean, style: metric == "accuracy" ? .points : .line))
      // The band's two edges as one dashed series, broken between them.
      if curve.x.count > 0, zip(curve.low, curve.high).contains(where: { $0 < $1 }) {
        series.append(PlotSeries(name: "c\(c + 1) 95% CI", x: curve.x + [.nan] + curve.x, y: curve.low + [.nan] + curve.high, style: .dashed))
      }
      curves.append(.object([("configuration", .int(c + 1)), ("x", .array(curve.x.map { .number($0) })), ("mean", .array(curve.mean.map { .number($0) })),
                             ("low", .array(curve.low.map { .number($0) })), ("high", .array(curve.high.map { .number($0) }))]))
    }
    let spec = PlotSpec(title: "\(label) — sweep \(sweep.name), mean ± 95% CI over \(plan.seeds.count) seed(s)", xLabel: Self.axisLabel(axis), yLabel: label,
                        series: series, logX: args.flag("logx"), logY: args.flag("log"))
    let height = try args.int("height", default: 16, in: 5...200)
    var output = CommandOutput(text: TerminalPlot.render(spec, width: min(terminalWidth, 160), height: height),
                               json: .object([("metric", .string(metric)), ("sweep", .string(sweep.name)), ("curves", .array(curves))]))
    if let file = args.option("svg") {
      let path = try resolveOutputPath(file)
      try SVGPlot.write(spec, to: path)
      output.files.append(path)
      output.text += "\nWrote \(file)."
    }
    return output
  }

  /// A record's coordinate on a plot axis: step, epoch, cumulative uplink bits, or time (simulated, else wall).
  static func axisValue(_ r: StepRecord, _ axis: String) -> Double {
    switch axis {
    case "epoch": return r.epoch
    case "bits": return Double(r.cumulativeBitsUp)
    case "time": return r.timeSeconds
    default: return Double(r.step)
    }
  }

  static func axisLabel(_ axis: String) -> String {
    switch axis {
    case "bits": return "cumulative uplink bits"
    case "time": return "time (s)"
    default: return axis
    }
  }
}
