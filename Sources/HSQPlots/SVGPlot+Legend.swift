extension SVGPlot {
  /// The legend under an SVG chart: one entry per series and per reference line, in centered rows.
  struct Legend {
    /// One entry: the swatch to draw and its text.
    struct Entry {
      enum Swatch {
        /// A short piece of the series' line (`dash`: its dash pattern) with its marker on it.
        case line(style: SeriesStyle, dash: String?)
        /// The marker alone, for a series of unconnected points.
        case point(style: SeriesStyle)
        /// A thin dashed grey line, for the edges of bands.
        case band
        case reference
      }

      let swatch: Swatch
      let label: String
      /// Swatch, gap and estimated text width, in pixels.
      var width: Double { 36 + SVGPlot.textWidth(label) }
    }

    static let gap = 18.0

    let width: Double
    /// The entries of each row, in order.
    let rows: [[Entry]]

    /// The legend of `spec`, wrapped to fit `width` pixels less a 16-pixel margin each side.
    init(spec: PlotSpec, width: Double) {
      self.width = width
      var entries: [Entry] = []
      var bands: Set<String> = []
      for (series, index) in zip(spec.series, spec.styleIndices) {
        let style = SeriesStyle(index: index)
        switch series.style {
        case .line: entries.append(Entry(swatch: .line(style: style, dash: style.dash), label: series.name))
        case .dashed: entries.append(Entry(swatch: .line(style: style, dash: style.forcedDash), label: series.name))
        case .points: entries.append(Entry(swatch: .point(style: style), label: series.name))
        case .band: if bands.insert(series.name).inserted { entries.append(Entry(swatch: .band, label: series.name)) }
        }
      }
      entries += spec.drawableHorizontalLines.map { Entry(swatch: .reference, label: $0.label) }
      var rows: [[Entry]] = [], current: [Entry] = [], used = 0.0
      for entry in entries {
        if !current.isEmpty && used + Self.gap + entry.width > width - 32 {
          rows.append(current)
          current = []
          used = 0
        }
        used += (current.isEmpty ? 0 : Self.gap) + entry.width
        current.append(entry)
      }
      if !current.isEmpty { rows.append(current) }
      self.rows = rows
    }

    /// A swatch's marker, in its group.
    static func marker(_ style: SeriesStyle, x: Double, y: Double) -> [String] {
      [SVGPlot.markerGroup(style.marker, colour: style.colour), SVGPlot.markerElement(style.marker, x: x, y: y), "</g>"]
    }

    /// The legend's elements, its first row's text baseline at `top + 12`.
    func draw(top: Double) -> [String] {
      let n = SVGPlot.number
      var out: [String] = []
      for (r, row) in rows.enumerated() {
        let rowWidth = row.map(\.width).reduce(0, +) + Self.gap * Double(row.count - 1)
        var x = max(16, (width - rowWidth) / 2)
        let baseline = top + 12 + Double(r) * 20, middle = baseline - 4
        for entry in row {
          switch entry.swatch {
          case let .line(style, dash):
            let pattern = dash.map { #" stroke-dasharray="\#($0)""# } ?? ""
            out.append(
              #"<line x1="\#(n(x))" y1="\#(n(middle))" x2="\#(n(x + 30))" y2="\#(n(middle))" stroke="\#(style.colour)" "#
                + #"stroke-width="2"\#(pattern)/>"#)
            out += Self.marker(style, x: x + 15, y: middle)
          case let .point(style):
            out += Self.marker(style, x: x + 15, y: middle)
          case .band:
            out.append(
              #"<line x1="\#(n(x))" y1="\#(n(middle))" x2="\#(n(x + 30))" y2="\#(n(middle))" "#
                + #"stroke="\#(SVGPlot.referenceColour)" stroke-width="1" stroke-dasharray="3 3"/>"#)
          case .reference:
            out.append(
              #"<line x1="\#(n(x))" y1="\#(n(middle))" x2="\#(n(x + 30))" y2="\#(n(middle))" "#
                + #"stroke="\#(SVGPlot.referenceColour)" stroke-width="1.5" stroke-dasharray="6 4"/>"#)
          }
          out.append(#"<text x="\#(n(x + 36))" y="\#(n(baseline))">\#(SVGPlot.escape(entry.label))</text>"#)
          x += entry.width + Self.gap
        }
      }
      return out
    }
  }
}
