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

    /// The elements of one series: a polyline per run (`.line`, `.dashed`) or a circle per point (`.points`).
    func draw(_ series: PlotSeries, runs: [[PlotPoint]], colour: String) -> [String] {
      let n = SVGPlot.number
      let title = "<title>\(SVGPlot.escape(series.name))</title>"
      if series.style == .points {
        var out = [#"<g fill="\#(colour)">"#, title]
        for run in runs {
          for p in run { out.append(#"<circle cx="\#(n(px(p.x)))" cy="\#(n(py(p.y)))" r="3"/>"#) }
        }
        return out + ["</g>"]
      }
      let dash = series.style == .dashed ? #" stroke-dasharray="7 4""# : ""
      var out = [
        #"<g fill="none" stroke="\#(colour)" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"\#(dash)>"#,
        title,
      ]
      for run in runs {
        let pixels = Self.thin(run.map { (px($0.x), py($0.y)) })
        if pixels.count == 1 {
          out.append(#"<circle cx="\#(n(pixels[0].0))" cy="\#(n(pixels[0].1))" r="2" fill="\#(colour)"/>"#)
        } else {
          out.append(#"<polyline points="\#(pixels.map { n($0.0) + "," + n($0.1) }.joined(separator: " "))"/>"#)
        }
      }
      return out + ["</g>"]
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
