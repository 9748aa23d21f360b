import Foundation
import HSQ

/// The two views of what a sweep's target cost, drawn one point a configuration.
enum TargetPlotView: String, CaseIterable {
  /// Total uplink bits to the target against bits per iteration (the communication trade-off).
  case bitsToTarget = "bits-to-target"
  /// Iterations to the target against the declared ω (unbiased) or 1 − δ (contraction).
  case iterationsToTarget = "iterations-to-target"
}

extension Session {
  /// `plot bits-to-target|iterations-to-target --sweep NAME --distance E` (or `--target A`): one point a configuration
  /// at its mean over the runs that reached the target, with 95 % CI bars, on log–log axes.
  ///
  /// Configurations with the same legend label (`--labels`, one per configuration) form one series, joined in
  /// x order (e.g. one mode of HSQ across D); a label used once is a lone labelled point (a reference method).
  /// `--point-labels a|b|…` writes text next to each configuration's point (empty entries write none).
  func plotSweepTarget(_ args: ParsedArguments, view: TargetPlotView) throws -> CommandOutput {
    guard let name = args.option("sweep") else {
      throw HSQError.invalidArgument("'plot \(view.rawValue)' draws a sweep's configurations; add '--sweep NAME' and '--distance E' or '--target A'.")
    }
    let sweep = try sweep(named: name)
    let target: SweepTarget
    if let epsilon = try args.double("distance", in: 0...1e300) {
      target = .distance(epsilon)
    } else if let accuracy = try args.double("target", in: 0...1) {
      target = .accuracy(accuracy)
    } else {
      throw HSQError.invalidArgument("'plot \(view.rawValue)' needs a target: '--distance E' (‖x − x*‖² ≤ E) or '--target A' (test accuracy).")
    }
    let plan = sweep.plan
    let count = plan.configurationCount
    let configs = try (0..<count).map { try plan.config(configuration: $0, seed: plan.seeds[0]) }
    let labels = try plotLabels(args, defaults: SeriesLabel.describe(configs, names: (0..<count).map { "c\($0 + 1)" }), of: "configuration")
    var pointLabels = Array(repeating: "", count: count)
    if let text = args.option("point-labels") {
      let parts = text.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
      guard parts.count == count else {
        throw HSQError.invalidArgument("'--point-labels' gives \(parts.count) label(s) for \(count) configuration(s); give one per configuration, in order, separated by '|' (an empty one labels nothing).")
      }
      pointLabels = parts
    }
    var points: [(x: Double, y: Double, bar: PlotSeries.ErrorBar, label: String)] = []
    var missing: [String] = []
    for c in 0..<count {
      let runs = sweep.runs(ofConfiguration: c).filter { !$0.failed }
      let y = sweep.summary(configuration: c, view == .bitsToTarget ? .bits(to: target) : .steps(to: target))
      let x: Double? = view == .bitsToTarget
        ? sweep.summary(configuration: c, .bitsPerStep)?.mean : runs.first.flatMap { DeclaredWorstCase($0).penalty }
      guard let y, let x else {
        missing.append("c\(c + 1) (\(labels[c])\(pointLabels[c].isEmpty ? "" : " " + pointLabels[c])): " + (y == nil ? "not reached" : "no ω or δ"))
        points.append((.nan, .nan, .init(low: .nan, high: .nan), pointLabels[c]))
        continue
      }
      let h = y.halfWidth ?? 0
      points.append((x, y.mean, .init(low: y.mean - h, high: y.mean + h), pointLabels[c]))
    }
    var order: [String] = []
    for label in labels where !order.contains(label) { order.append(label) }
    var series: [PlotSeries] = []
    var json: [JSONValue] = []
    for label in order {
      let members = (0..<count).filter { labels[$0] == label && points[$0].x.isFinite }.sorted { points[$0].x < points[$1].x }
      var s = PlotSeries(name: label, x: members.map { points[$0].x }, y: members.map { points[$0].y }, style: members.count > 1 ? .line : .points)
      s.errorBars = members.map { points[$0].bar }
      s.pointLabels = members.map { points[$0].label }
      series.append(s)
      json.append(.object([("name", .string(label)), ("configurations", .array(members.map { .int($0 + 1) })),
                           ("x", .array(s.x.map { .number($0) })), ("y", .array(s.y.map { .number($0) })),
                           ("low", .array(s.errorBars.map { .number($0.low) })), ("high", .array(s.errorBars.map { .number($0.high) }))]))
    }
    let goal: String
    switch target {
    case let .accuracy(a): goal = "test accuracy ≥ \(Self.fixed(a * 100, 1))%"
    case let .distance(e): goal = "‖x − x*‖² ≤ \(formatNumber(e))"
    }
    let title = (view == .bitsToTarget ? "Total uplink bits to " : "Iterations to ") + goal + " — sweep \(sweep.name), mean ± 95% CI"
    let spec = PlotSpec(
      title: title, xLabel: view == .bitsToTarget ? "uplink bits per iteration" : "ω (unbiased) or 1 − δ (contraction)",
      yLabel: view == .bitsToTarget ? "total uplink bits to target" : "iterations to target", series: series, logX: true, logY: true)
    let note = missing.isEmpty ? nil : "Not drawn: " + missing.joined(separator: "; ") + "."
    return try plotOutput(spec, args, json: .object([("view", .string(view.rawValue)), ("sweep", .string(sweep.name)), ("series", .array(json))]), note: note)
  }
}
