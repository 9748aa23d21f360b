import HSQExperiments

extension TerminalPlot {
  /// The inside of a terminal chart: braille curves, reference lines, markers and labels as a grid of characters.
  struct PlotArea {
    let x: PlotAxis
    let y: PlotAxis
    let columns: Int
    let rows: Int
    /// `rows` rows of `columns` characters.
    private(set) var grid: [[Character]]

    /// Draws `spec` on a `columns × rows` area with the given axes.
    init(spec: PlotSpec, x: PlotAxis, y: PlotAxis, columns: Int, rows: Int, hasData: Bool) {
      self.x = x
      self.y = y
      self.columns = columns
      self.rows = rows
      grid = Array(repeating: Array(repeating: " ", count: columns), count: rows)

      var canvas = BrailleCanvas(columns: columns, rows: rows)
      var markerPixels: [(pixel: (Int, Int), marker: Character)] = []
      for (series, index) in zip(spec.series, spec.styleIndices) {
        let runs = spec.segments(of: series).map { $0.map(pixel) }
        var dash = BrailleCanvas.DashState()
        for run in runs {
          if series.style == .points || run.count == 1 {
            for p in run { canvas.set(p.0, p.1) }
          } else {
            for k in 1..<run.count {
              canvas.line(from: run[k - 1], to: run[k], dash: series.style == .dashed || series.style == .band ? 2 : nil, state: &dash)
            }
          }
        }
        guard series.style != .band else { continue }
        let placed = Self.markerPixels(runs.flatMap { $0 }, series: index, of: spec.styledSeriesCount, columns: columns)
        markerPixels += placed.map { ($0, TerminalPlot.marker(index)) }
      }
      for row in 0..<rows {
        for column in 0..<columns {
          if let c = canvas.character(column: column, row: row) { grid[row][column] = c }
        }
      }
      let references = spec.drawableHorizontalLines
      for line in references {
        let row = cellRow(line.y)
        for column in 0..<columns where grid[row][column] == " " { grid[row][column] = TerminalPlot.referenceDash }
      }
      for (p, marker) in markerPixels { grid[p.1 / 4][p.0 / 2] = marker }
      for line in references {
        let text = " " + TextTable.flatten(line.label) + " "
        if TextTable.displayWidth(text) <= columns / 2 { write(text, row: cellRow(line.y)) }
      }
      if !hasData { write("no data", row: rows / 2, center: true) }
    }

    /// The dot of `point` on the braille canvas (x right, y down).
    func pixel(_ point: PlotPoint) -> (Int, Int) {
      (
        Int((x.fraction(point.x) * Double(2 * columns - 1)).rounded()),
        Int(((1 - y.fraction(point.y)) * Double(4 * rows - 1)).rounded())
      )
    }

    /// The character row that `value` on the y axis falls in.
    func cellRow(_ value: Double) -> Int {
      min(rows - 1, max(0, pixel(PlotPoint(x: x.lower, y: value)).1 / 4))
    }

    /// The character column that `value` on the x axis falls in.
    func cellColumn(_ value: Double) -> Int {
      min(columns - 1, max(0, pixel(PlotPoint(x: value, y: y.lower)).0 / 2))
    }

    /// Writes `text` on `row` where every cell it covers is blank or a reference dash:
    /// centered, or else at the right end, or else at the left end; nowhere if neither is free.
    private mutating func write(_ text: String, row: Int, center: Bool = false) {
      let characters = Array(text)
      let length = characters.count
      guard length <= columns else { return }
      let starts = center ? [(columns - length) / 2] : [columns - length, 0]
      for start in starts {
        let cells = grid[row][start..<(start + length)]
        if cells.allSatisfy({ $0 == " " || $0 == TerminalPlot.referenceDash }) {
          grid[row].replaceSubrange(start..<(start + length), with: characters)
          return
        }
      }
    }

    /// Where to overlay the marker of series `index` (of `count`) along its dots `points`.
    ///
    /// A short series (at most a quarter as many points as columns) gets a
    /// marker at every point. A long one gets one every `spacing` columns, the
    /// series staggered by `spacing / count` so overlapping curves still show
    /// each marker.
    static func markerPixels(_ points: [(Int, Int)], series index: Int, of count: Int, columns: Int) -> [(Int, Int)] {
      guard !points.isEmpty else { return [] }
      if points.count <= max(1, columns / 4) { return points }
      let spacing = max(8, columns / 6)
      var firstInColumn: [Int: (Int, Int)] = [:]
      for p in points where firstInColumn[p.0 / 2] == nil { firstInColumn[p.0 / 2] = p }
      var placed: [(Int, Int)] = []
      var column = (spacing / 2 + spacing * index / max(1, count)) % spacing
      while column < columns {
        if let p = firstInColumn[column] ?? firstInColumn[column + 1] ?? firstInColumn[column - 1] { placed.append(p) }
        column += spacing
      }
      return placed
    }
  }
}
