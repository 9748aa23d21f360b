import Foundation
import HSQ

extension Session {
  /// `plot METRIC --sweep NAME`: each configuration's mean curve over its seeds with its 95 % CI band (dashed).
  func plotSweep(_ args: ParsedArguments, sweep: Sweep, metric: PlotMetric, axis: PlotXAxis) throws -> CommandOutput {
    guard metric != .rho else { throw HSQError.invalidArgument("'plot rho' shows one experiment's layers; with --sweep plot loss, accuracy, test-loss, bits, grad-norm, distance or lr.") }
    let y: (StepRecord) -> Double? = { metric.value(in: $0) }
    let plan = sweep.plan
    let configs = try (0..<plan.configurationCount).map { try plan.config(configuration: $0, seed: plan.seeds[0]) }
    let numbers = configs.indices.map { "c\($0 + 1)" }
    let labels = try plotLabels(args, defaults: SeriesLabel.describe(configs, names: numbers), of: "configuration")
    let span = try plotSmoothing(args)
    let smooth = { (values: [Double]) in span.map { Smoothing.ema(values, span: $0) } ?? values }
    var series: [PlotSeries] = []
    var curves: [JSONValue] = []
    for c in 0..<plan.configurationCount {
      let curve = sweep.meanCurve(configuration: c, x: { axis.value(in: $0) }, y: y)
      series.append(PlotSeries(name: labels[c], x: curve.x, y: smooth(curve.mean)))
      // The band's two edges as one series, broken between them.
      if curve.x.count > 0, zip(curve.low, curve.high).contains(where: { $0 < $1 }) {
        series.append(PlotSeries(name: "95% CI", x: curve.x + [.nan] + curve.x, y: smooth(curve.low) + [.nan] + smooth(curve.high), style: .band))
      }
      curves.append(.object([("configuration", .int(c + 1)), ("x", .array(curve.x.map { .number($0) })), ("mean", .array(curve.mean.map { .number($0) })),
                             ("low", .array(curve.low.map { .number($0) })), ("high", .array(curve.high.map { .number($0) }))]))
    }
    let seeds = plan.seeds.count == 1 ? "1 seed" : "\(plan.seeds.count) seeds"
    let spec = PlotSpec(title: "\(Self.sentenceCase(metric.label)) — sweep \(sweep.name), mean ± 95% CI over \(seeds)", xLabel: axis.label,
                        yLabel: Self.smoothed(metric.label, span), series: series, logX: args.flag("logx"), logY: args.flag("log"),
                        yPercent: metric.isPercent)
    return try plotOutput(spec, args, json: .object([("metric", .string(metric.rawValue)), ("sweep", .string(sweep.name)), ("curves", .array(curves))]))
  }
}
