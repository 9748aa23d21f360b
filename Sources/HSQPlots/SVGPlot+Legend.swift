extension SVGPlot {
  /// The legend under an SVG chart: one entry per series and per reference line, in centered rows.
  struct Legend {
    /// One entry: the swatch to draw and its text.
    struct Entry {
      enum Swatch {
        case line(colour: String, dashed: Bool)
        case point(colour: String)
        case reference
      }

      let swatch: Swatch
      let label: String
      /// Swatch, gap and estimated text width, in pixels.
      var width: Double { 30 + SVGPlot.textWidth(label) }
    }

    static let gap = 18.0

    let width: Double
    /// The entries of each row, in order.
    let rows: [[Entry]]

    /// The legend of `spec`, wrapped to fit `width` pixels less a 16-pixel margin each side.
    init(spec: PlotSpec, width: Double) {
      self.width = width
      var entries = spec.series.enumerated().map { i, series -> Entry in
        let colour = SVGPlot.palette[i % SVGPlot.palette.count]
        let swatch: Entry.Swatch =
          series.style == .points ? .point(colour: colour) : .line(colour: colour, dashed: series.style == .dashed)
        return Entry(swatch: swatch, label: series.name)
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
          case let .line(colour, dashed):
            let dash = dashed ? #" stroke-dasharray="7 4""# : ""
            out.append(
              #"<line x1="\#(n(x))" y1="\#(n(middle))" x2="\#(n(x + 24))" y2="\#(n(middle))" stroke="\#(colour)" "#
                + #"stroke-width="2"\#(dash)/>"#)
          case let .point(colour):
            out.append(#"<circle cx="\#(n(x + 12))" cy="\#(n(middle))" r="3" fill="\#(colour)"/>"#)
          case .reference:
            out.append(
              #"<line x1="\#(n(x))" y1="\#(n(middle))" x2="\#(n(x + 24))" y2="\#(n(middle))" "#
                + #"stroke="\#(SVGPlot.referenceColour)" stroke-width="1.5" stroke-dasharray="6 4"/>"#)
          }
          out.append(#"<text x="\#(n(x + 30))" y="\#(n(baseline))">\#(SVGPlot.escape(entry.label))</text>"#)
          x += entry.width + Self.gap
        }
      }
      return out
    }
  }
}
