import Foundation
import HSQ

extension Session {
  /// `plot METRIC --sweep NAME`: each configuration's mean curve over its seeds with its 95 % CI band (dashed).
  func plotSweep(_ args: ParsedArguments, sweep: Sweep, metric: PlotMetric, axis: PlotXAxis) throws -> CommandOutput {
    guard metric != .rho else { throw HSQError.invalidArgument("'plot rho' shows one experiment's layers; with --sweep plot loss, accuracy, test-loss, bits, grad-norm, distance or lr.") }
    let y: (StepRecord) -> Double? = { metric.value(in: $0) }
    let label = metric.label
    var series: [PlotSeries] = []
    var curves: [JSONValue] = []
    let plan = sweep.plan
    for c in 0..<plan.configurationCount {
      let curve = sweep.meanCurve(configuration: c, x: { axis.value(in: $0) }, y: y)
      let name = plan.configurationCount > 1 ? "c\(c + 1) \(plan.label(ofConfiguration: c))" : plan.label(ofConfiguration: c)
      series.append(PlotSeries(name: name, x: curve.x, y: curve.mean, style: metric.style))
      // The band's two edges as one dashed series, broken between them.
      if curve.x.count > 0, zip(curve.low, curve.high).contains(where: { $0 < $1 }) {
        series.append(PlotSeries(name: "c\(c + 1) 95% CI", x: curve.x + [.nan] + curve.x, y: curve.low + [.nan] + curve.high, style: .dashed))
      }
      curves.append(.object([("configuration", .int(c + 1)), ("x", .array(curve.x.map { .number($0) })), ("mean", .array(curve.mean.map { .number($0) })),
                             ("low", .array(curve.low.map { .number($0) })), ("high", .array(curve.high.map { .number($0) }))]))
    }
    let spec = PlotSpec(title: "\(label) — sweep \(sweep.name), mean ± 95% CI over \(plan.seeds.count) seed(s)", xLabel: axis.label, yLabel: label,
                        series: series, logX: args.flag("logx"), logY: args.flag("log"))
    return try plotOutput(spec, args, json: .object([("metric", .string(metric.rawValue)), ("sweep", .string(sweep.name)), ("curves", .array(curves))]))
  }
}
