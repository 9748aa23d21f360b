import Foundation
import HSQ

extension Session {
  func plot(_ args: ParsedArguments) throws -> CommandOutput {
    if let view = TargetPlotView(rawValue: args.positional[0]) { return try plotSweepTarget(args, view: view) }
    let metric = try PlotMetric(parsing: args.positional[0], what: "a metric")
    let axis = try PlotXAxis(parsing: args.option("x") ?? "step", what: "an axis for '--x'")
    if let name = args.option("sweep") { return try plotSweep(args, sweep: try sweep(named: name), metric: metric, axis: axis) }
    let names = args.option("experiments").map { $0.split(separator: ",").map(String.init) } ?? [current].compactMap { $0 }
    guard !names.isEmpty else { throw HSQError.missing(thing: "experiment to plot", plural: false, fix: "create one with 'experiment NAME'") }
    let experiments = try names.map { try experiment($0) }
    let labels = try plotLabels(args, defaults: SeriesLabel.describe(experiments.map(\.config), names: names), of: "experiment")
    var series: [PlotSeries] = []
    var lines: [PlotSpec.HorizontalLine] = []
    var layers: [String] = []
    for (i, e) in experiments.enumerated() {
      let label = labels[i]
      let records = e.history
      if metric.isWire, !records.isEmpty, !records.contains(where: { $0.wire != nil }) {
        throw HSQError.invalidState("'\(names[i])' ran its workers in this process: '\(metric.rawValue)' is measured only on a transport; run it with backend=mpi in hsq-mpi.")
      }
      func x(_ r: StepRecord) -> Double { axis.value(in: r) }
      switch metric {
      case .rho:
        let prefix = experiments.count > 1 ? "\(label): " : ""
        let layerName = try args.option("layer").map { try e.layer(named: $0).name } ?? records.last?.layers.filter(\.compressed).max(by: { $0.count < $1.count })?.name
          ?? { throw HSQError.invalidState("'\(names[i])' has no compressed layer to plot ρ for; step first or lower 'compress-threshold'.") }()
        if !layers.contains(layerName) { layers.append(layerName) }
        let layer = records.compactMap { r in r.layers.first { $0.name == layerName }.map { (r, $0) } }
        // One draw of a randomized compressor is drawn as points next to E ρ; its bound is a bound on E ρ.
        let perDraw = boundsEveryDraw(e)
        series.append(PlotSeries(name: prefix + (perDraw ? "ρ observed" : "ρ one draw"), x: layer.map { x($0.0) }, y: layer.map { $0.1.observedRho },
                                 style: perDraw ? .line : .points))
        if !perDraw, layer.contains(where: { $0.1.exactRho != nil }) {
          series.append(PlotSeries(name: prefix + "E ρ exact", x: layer.map { x($0.0) }, y: layer.map { $0.1.exactRho ?? .nan }))
        }
        if layer.contains(where: { $0.1.boundRho != nil }) {
          series.append(PlotSeries(name: prefix + (perDraw ? "ρ bound, these inputs" : "E ρ bound, these inputs"), x: layer.map { x($0.0) },
                                   y: layer.map { $0.1.boundRho ?? .nan }, style: .dashed))
        }
        if let worst = layer.last?.1.worstCase { lines.append(.init(label: prefix + "worst case, all inputs", y: worst)) }
      default:
        let ys: [Double] = records.map { metric.value(in: $0) ?? .nan }
        let keep = ys.indices.filter { ys[$0].isFinite }
        series.append(PlotSeries(name: label, x: keep.map { x(records[$0]) }, y: keep.map { ys[$0] }))
      }
    }
    let json = JSONValue.object([("metric", .string(metric.rawValue)), ("series", .array(series.map { s in
      .object([("name", .string(s.name)), ("x", .array(s.x.map { .number($0) })), ("y", .array(s.y.map { JSONValue.number($0) }))])
    }))])
    let span = try plotSmoothing(args)
    if let span { for i in series.indices { series[i].y = Smoothing.ema(series[i].y, span: span) } }
    let what = metric == .rho ? "ρ of \(layers.joined(separator: ", "))" : Self.sentenceCase(metric.label)
    let context = SeriesLabel.context(experiments.map(\.config))
    let spec = PlotSpec(title: what + (context.isEmpty ? "" : " — " + context), xLabel: axis.label, yLabel: Self.smoothed(metric.label, span),
                        series: series, logX: args.flag("logx"), logY: args.flag("log"), horizontalLines: lines, yPercent: metric.isPercent)
    return try plotOutput(spec, args, json: json)
  }

  /// The terminal plot of `spec` as the command's text (`--rows` high), then `note` (a line under the plot),
  /// with the SVG written where `--svg` asks (`--width` × `--height` pixels) and the title `--title` gives.
  ///
  /// With `--svg` the text ends with the line `Wrote FILE.`: notebooks and the Jupyter kernel take the
  /// paragraph ending there as the figure's text.
  func plotOutput(_ spec: PlotSpec, _ args: ParsedArguments, json: JSONValue, note: String? = nil) throws -> CommandOutput {
    var spec = spec
    if let title = args.option("title") { spec.title = title }
    let rows = try args.int("rows", default: 16, in: 5...200)
    let width = try args.int("width", default: 640, in: 240...10_000), height = try args.int("height", default: 400, in: 160...10_000)
    var output = CommandOutput(text: TerminalPlot.render(spec, width: min(terminalWidth, 160), height: rows), json: json)
    if let note { output.text += "\n" + note }
    guard let file = args.option("svg") else {
      if let size = ["width", "height"].first(where: { args.option($0) != nil }) {
        throw HSQError.invalidArgument("'--\(size)' sizes the SVG figure in pixels; add '--svg FILE' (terminal rows are '--rows N').")
      }
      return output
    }
    let path = try resolveOutputPath(file)
    try SVGPlot.write(spec, to: path, width: width, height: height)
    output.files.append(path)
    output.text += "\nWrote \(file)."
    return output
  }

  /// The legend labels: `--labels A|B|…`, one per experiment or configuration in order, else `defaults`.
  func plotLabels(_ args: ParsedArguments, defaults: [String], of what: String) throws -> [String] {
    guard let text = args.option("labels") else { return defaults }
    let labels = text.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    guard labels.count == defaults.count, !labels.contains(where: \.isEmpty) else {
      throw HSQError.invalidArgument(
        "'--labels' gives \(labels.filter { !$0.isEmpty }.count) label(s) for \(defaults.count) \(what)(s); give one per \(what), in order, separated by '|' (e.g. --labels \"SGD|HSQ + EF\").")
    }
    return labels
  }

  /// The EMA span of `--smooth N`, or `nil` without it.
  func plotSmoothing(_ args: ParsedArguments) throws -> Int? {
    args.option("smooth") == nil ? nil : try args.int("smooth", default: 1, in: 1...1_000_000)
  }

  /// An axis label with the smoothing named: `training loss (EMA, span 20)`.
  static func smoothed(_ label: String, _ span: Int?) -> String {
    span.map { "\(label) (EMA, span \($0))" } ?? label
  }

  /// `text` with its first letter capitalized, for a title: `Test accuracy`.
  static func sentenceCase(_ text: String) -> String {
    text.prefix(1).uppercased() + text.dropFirst()
  }
}
