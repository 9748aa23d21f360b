extension SVGPlot {
  /// The plot rectangle of an SVG chart: maps data to pixels and draws grid, axes and series.
  struct Frame {
    let left: Double
    let top: Double
    let width: Double
    let height: Double
    let x: PlotAxis
    let y: PlotAxis

    var right: Double { left + width }
    var bottom: Double { top + height }

    /// The horizontal pixel position of `value` on the x axis.
    func px(_ value: Double) -> Double { left + x.fraction(value) * width }

    /// The vertical pixel position of `value` on the y axis (down the page).
    func py(_ value: Double) -> Double { bottom - y.fraction(value) * height }

    /// Grid lines at every tick, the plot's frame, tick marks and tick labels.
    func gridAndAxes() -> [String] {
      let n = SVGPlot.number
      var out = [#"<g stroke="\#(SVGPlot.gridColour)" stroke-width="1">"#]
      for tick in x.ticks {
        out.append(#"<line x1="\#(n(px(tick)))" y1="\#(n(top))" x2="\#(n(px(tick)))" y2="\#(n(bottom))"/>"#)
      }
      for tick in y.ticks {
        out.append(#"<line x1="\#(n(left))" y1="\#(n(py(tick)))" x2="\#(n(right))" y2="\#(n(py(tick)))"/>"#)
      }
      out.append("</g>")
      out.append(
        #"<rect x="\#(n(left))" y="\#(n(top))" width="\#(n(width))" height="\#(n(height))" "#
          + #"fill="none" stroke="\#(SVGPlot.axisColour)" stroke-width="1"/>"#)
      out.append(#"<g stroke="\#(SVGPlot.axisColour)" stroke-width="1">"#)
      for tick in x.ticks {
        out.append(#"<line x1="\#(n(px(tick)))" y1="\#(n(bottom))" x2="\#(n(px(tick)))" y2="\#(n(bottom + 5))"/>"#)
      }
      for tick in y.ticks {
        out.append(#"<line x1="\#(n(left - 5))" y1="\#(n(py(tick)))" x2="\#(n(left))" y2="\#(n(py(tick)))"/>"#)
      }
      out.append("</g>")
      out.append(#"<g fill="\#(SVGPlot.labelColour)">"#)
      for (tick, label) in zip(x.ticks, x.labels) {
        out.append(#"<text x="\#(n(px(tick)))" y="\#(n(bottom + 19))" text-anchor="middle">\#(label)</text>"#)
      }
      for (tick, label) in zip(y.ticks, y.labels) {
        out.append(#"<text x="\#(n(left - 8))" y="\#(n(py(tick) + 4))" text-anchor="end">\#(label)</text>"#)
      }
      out.append("</g>")
      return out
    }

    /// The elements of one series in `style`: a polyline per run (`.line` in the style's dash, `.dashed`
    /// always dashed, `.band` thin and dashed) and markers (``SVGPlot/markerIndices(_:index:of:left:width:)``;
    /// at every point for `.points`, none for `.band`).
    ///
    /// - Parameters:
    ///   - series: the series.
    ///   - runs: its drawable runs (``PlotSpec/segments(of:)``).
    ///   - style: its colour, marker and dash.
    ///   - index: its style index, and `count` how many series have one (to stagger the markers).
    func draw(_ series: PlotSeries, runs: [[PlotPoint]], style: SeriesStyle, index: Int, of count: Int) -> [String] {
      let n = SVGPlot.number
      let title = "<title>\(SVGPlot.escape(series.name))</title>"
      let pixels = runs.map { $0.map { (px($0.x), py($0.y)) } }
      var out: [String] = []
      if series.style != .points {
        let stroke: String
        switch series.style {
        case .band: stroke = #"stroke-width="1" stroke-dasharray="3 3""#
        case .dashed: stroke = #"stroke-width="2" stroke-dasharray="\#(style.forcedDash)""#
        default: stroke = #"stroke-width="2""# + (style.dash.map { #" stroke-dasharray="\#($0)""# } ?? "")
        }
        out += [#"<g fill="none" stroke="\#(style.colour)" \#(stroke) stroke-linejoin="round">"#, title]
        for run in pixels where run.count > 1 {
          out.append(#"<polyline points="\#(Self.thin(run).map { n($0.0) + "," + n($0.1) }.joined(separator: " "))"/>"#)
        }
        out.append("</g>")
      }
      guard series.style != .band else { return out }
      let all = pixels.flatMap { $0 }
      out += errorBarsAndLabels(series, colour: style.colour)
      var chosen = Set(series.style == .points || series.marksEveryPoint
        ? Array(all.indices) : SVGPlot.markerIndices(all, index: index, of: count, left: left, width: width))
      var offset = 0
      for run in pixels {
        if run.count == 1 { chosen.insert(offset) }
        offset += run.count
      }
      guard !chosen.isEmpty else { return out }
      out.append(SVGPlot.markerGroup(style.marker, colour: style.colour))
      if series.style == .points { out.append(title) }
      for i in chosen.sorted() { out.append(SVGPlot.markerElement(style.marker, x: all[i].0, y: all[i].1)) }
      out.append("</g>")
      return out
    }

    /// The capped vertical error bar of every drawable point that has one, and the point labels (right of the point).
    func errorBarsAndLabels(_ series: PlotSeries, colour: String) -> [String] {
      let n = SVGPlot.number
      var bars: [String] = [], labels: [String] = []
      for i in 0..<min(series.x.count, series.y.count) {
        let x = series.x[i], y = series.y[i]
        guard PlotSpec.isPlottable(x, log: self.x.logarithmic), PlotSpec.isPlottable(y, log: self.y.logarithmic) else { continue }
        if i < series.errorBars.count {
          let bar = series.errorBars[i]
          let low = PlotSpec.isPlottable(bar.low, log: self.y.logarithmic) ? min(bar.low, y) : y
          let high = PlotSpec.isPlottable(bar.high, log: self.y.logarithmic) ? max(bar.high, y) : y
          if high > low {
            let cx = px(x), top = py(high), bottom = py(low)
            bars.append(#"<line x1="\#(n(cx))" y1="\#(n(top))" x2="\#(n(cx))" y2="\#(n(bottom))"/>"#)
            bars.append(#"<line x1="\#(n(cx - 4))" y1="\#(n(top))" x2="\#(n(cx + 4))" y2="\#(n(top))"/>"#)
            bars.append(#"<line x1="\#(n(cx - 4))" y1="\#(n(bottom))" x2="\#(n(cx + 4))" y2="\#(n(bottom))"/>"#)
          }
        }
        if i < series.pointLabels.count, !series.pointLabels[i].isEmpty {
          labels.append(#"<text x="\#(n(px(x) + 7))" y="\#(n(py(y) - 6))" font-size="10">\#(SVGPlot.escape(series.pointLabels[i]))</text>"#)
        }
      }
      var out: [String] = []
      if !bars.isEmpty { out += [#"<g stroke="\#(colour)" stroke-width="1.2">"#] + bars + ["</g>"] }
      if !labels.isEmpty { out += [#"<g fill="\#(colour)">"#] + labels + ["</g>"] }
      return out
    }

    /// Drops points that cannot change the picture: within each run of consecutive points in
    /// the same whole-pixel column, keeps the first, the highest, the lowest and the last (in order).
    ///
    /// The drawn polyline covers the same pixels, and a curve of 10⁵ steps becomes a few
    /// thousand points instead of a multi-megabyte file.
    static func thin(_ points: [(Double, Double)]) -> [(Double, Double)] {
      guard points.count > 4 else { return points }
      var out: [(Double, Double)] = []
      var start = 0
      while start < points.count {
        let column = points[start].0.rounded(.down)
        var end = start + 1
        while end < points.count && points[end].0.rounded(.down) == column { end += 1 }
        var keep = [start, end - 1]
        if end - start > 2 {
          let run = start..<end
          keep += [run.min { points[$0].1 < points[$1].1 }!, run.max { points[$0].1 < points[$1].1 }!]
        }
        for index in Set(keep).sorted() { out.append(points[index]) }
        start = end
      }
      return out
    }
  }
}
