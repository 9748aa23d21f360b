import Foundation
import HSQ

extension Session {
  func plot(_ args: ParsedArguments) throws -> CommandOutput {
    let metric = try PlotMetric(parsing: args.positional[0], what: "a metric")
    let axis = try PlotXAxis(parsing: args.option("x") ?? "step", what: "an axis for '--x'")
    if let name = args.option("sweep") { return try plotSweep(args, sweep: try sweep(named: name), metric: metric, axis: axis) }
    let names = args.option("experiments").map { $0.split(separator: ",").map(String.init) } ?? [current].compactMap { $0 }
    guard !names.isEmpty else { throw HSQError.missing(thing: "experiment to plot", plural: false, fix: "create one with 'experiment NAME'") }
    var series: [PlotSeries] = []
    var lines: [PlotSpec.HorizontalLine] = []
    for name in names {
      let e = try experiment(name)
      let records = e.history
      func x(_ r: StepRecord) -> Double { axis.value(in: r) }
      let prefix = names.count > 1 ? "\(name) " : ""
      switch metric {
      case .rho:
        let layerName = try args.option("layer").map { try e.layer(named: $0).name } ?? records.last?.layers.filter(\.compressed).max(by: { $0.count < $1.count })?.name
          ?? { throw HSQError.invalidState("'\(name)' has no compressed layer to plot ρ for; step first or lower 'compress-threshold'.") }()
        let layers = records.compactMap { r in r.layers.first { $0.name == layerName }.map { (r, $0) } }
        series.append(PlotSeries(name: prefix + "ρ observed", x: layers.map { x($0.0) }, y: layers.map { $0.1.observedRho }))
        if layers.contains(where: { $0.1.boundRho != nil }) {
          series.append(PlotSeries(name: prefix + "ρ bound", x: layers.map { x($0.0) }, y: layers.map { $0.1.boundRho ?? .nan }, style: .dashed))
        }
        if let worst = layers.last?.1.worstCase { lines.append(.init(label: prefix + "worst case", y: worst)) }
      default:
        let ys: [Double] = records.map { metric.value(in: $0) ?? .nan }
        let keep = ys.indices.filter { ys[$0].isFinite }
        series.append(PlotSeries(name: prefix + metric.rawValue, x: keep.map { x(records[$0]) }, y: keep.map { ys[$0] }, style: metric.style))
      }
    }
    let spec = PlotSpec(title: "\(metric.label) — \(names.joined(separator: ", "))", xLabel: axis.label, yLabel: metric.label, series: series,
                        logX: args.flag("logx"), logY: args.flag("log"), horizontalLines: lines)
    return try plotOutput(spec, args, json: .object([("metric", .string(metric.rawValue)), ("series", .array(series.map { s in
      .object([("name", .string(s.name)), ("x", .array(s.x.map { .number($0) })), ("y", .array(s.y.map { JSONValue.number($0) }))])
    }))]))
  }

  /// The terminal plot of `spec` as the command's text, with the SVG written where `--svg` asks.
  func plotOutput(_ spec: PlotSpec, _ args: ParsedArguments, json: JSONValue) throws -> CommandOutput {
    let height = try args.int("height", default: 16, in: 5...200)
    var output = CommandOutput(text: TerminalPlot.render(spec, width: min(terminalWidth, 160), height: height), json: json)
    if let file = args.option("svg") {
      let path = try resolveOutputPath(file)
      try SVGPlot.write(spec, to: path)
      output.files.append(path)
      output.text += "\nWrote \(file)."
    }
    return output
  }
}
