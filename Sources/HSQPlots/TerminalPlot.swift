import HSQExperiments

/// Renders a ``PlotSpec`` as a Unicode line chart for terminals, REPL output and notebooks.
///
/// ```
///                   Training loss
/// loss
///   1┤▲
///    │⠈⢦⠄╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌ bound
///    │ ⠸⡀⠐⠂⣀
///    │  ⠑⢄   ⠒▲⣀
///    │   ⠈●⡄     ⠉⠐⠄⠠⡀▲
/// 0.5┤     ⠈⠑⠤⣀        ⠁⠈⠂⠐⠂⠤ ▲⢀⡀⢀⡀
///    │         ⠉⠑⠲●⢄⣀⣀             ⠈⠁⠈▲⠈⠁⠐⠂⠐⠂⠐▲⠠⠄
///    │                ⠉⠉⠉⠒●⠒⠒⠤⠤⠤⠤⠤●⣀⣀⣀⣀⣀⣀⣀●⣀⡀
///    │                                      ⠈⠉⠉⠉⠉⠁
///   0┤
///    └┬─────────────────────┬────────────────────┬
///     0                    50                   100
///                         step
/// ─●─ hsq   ┄▲┄ qsgd   ╌╌╌ bound
/// ```
/// (`render(spec, width: 50, height: 16)`, trailing spaces not shown.)
/// Curves are drawn in braille dots (2×4 dots per character), so a chart
/// `width` columns wide has twice as many horizontal positions. There are no
/// colour codes (the text goes into notebooks and test snapshots): each series
/// is told apart by its marker glyph (●, ▲, ■, ◆, …), overlaid at every point
/// of a short series or at staggered, evenly spaced points of a long one, and
/// shown with the line style in the legend (`─●─` line, `┄▲┄` dashed,
/// ` ■ ` points). Reference lines are drawn with `╌` and labelled at their right end
/// where the space is free, and always in the legend.
///
/// Axes use the ticks of ``NiceTicks`` (3–5 on the y axis when there is room),
/// labelled compactly (`1.2k`, `0.5`, `3.4e-5`).
public enum TerminalPlot {
  /// The per-series markers, in order (the list repeats after ten series): the glyphs of ``SeriesStyle/Marker``.
  public static let markers: [Character] = SeriesStyle.Marker.allCases.map(\.glyph)

  /// The character reference lines are drawn with.
  static let referenceDash: Character = "╌"

  /// The chart as text: every line exactly `width` terminal columns, lines joined by `\n`.
  ///
  /// The output has `height` lines when that leaves at least three rows for
  /// the plot after the title, y label, x axis, x label and legend; otherwise
  /// the plot keeps three rows and the output is taller. Widths below 24 are
  /// raised to 24. Lines are padded with spaces to the full width. Output is
  /// deterministic: the same spec and size give the same text.
  ///
  /// - Parameters:
  ///   - spec: what to plot.
  ///   - width: terminal columns per line (at least 24).
  ///   - height: lines wanted in total.
  /// - Returns: the chart, without a trailing newline.
  public static func render(_ spec: PlotSpec, width: Int = 80, height: Int = 24) -> String {
    let width = max(width, 24)
    let legend = legendLines(spec, width: width)
    let chrome = 2 + legend.count + [spec.title, spec.yLabel, spec.xLabel].filter { !$0.isEmpty }.count
    let rows = max(3, height - chrome)
    let values = spec.axisValues()
    let yAxis = PlotAxis(
      values: values.y, logarithmic: spec.logY, maxTicks: max(2, min(5, (rows + 1) / 2)), padding: PlotSpec.yPadding,
      percent: spec.yPercent)
    let labelWidth = yAxis.labels.map(TextTable.displayWidth).max() ?? 1
    let plotLeft = labelWidth + 1
    let columns = width - plotLeft - 2
    let xAxis = PlotAxis(values: values.x, logarithmic: spec.logX, maxTicks: max(2, min(8, columns / 10)), padding: PlotSpec.xPadding)
    let area = PlotArea(spec: spec, x: xAxis, y: yAxis, columns: columns, rows: rows, hasData: values.hasData)

    var lines: [String] = []
    if !spec.title.isEmpty { lines.append(centered(spec.title, width: width)) }
    if !spec.yLabel.isEmpty { lines.append(TextTable.flatten(spec.yLabel)) }
    var tickLabels: [Int: String] = [:]
    for (tick, label) in zip(yAxis.ticks, yAxis.labels) where tickLabels[area.cellRow(tick)] == nil {
      tickLabels[area.cellRow(tick)] = label
    }
    for row in 0..<rows {
      let label = tickLabels[row]
      lines.append(
        TextTable.pad(label ?? "", labelWidth, .right) + (label == nil ? "│" : "┤") + String(area.grid[row]))
    }
    let tickColumns = xAxis.ticks.map(area.cellColumn)
    let axis = (0..<columns).map { tickColumns.contains($0) ? "┬" : "─" }.joined()
    lines.append(String(repeating: " ", count: labelWidth) + "└" + axis)
    lines.append(xTickLine(labels: xAxis.labels, columns: tickColumns.map { $0 + plotLeft }, width: width))
    if !spec.xLabel.isEmpty {
      let label = TextTable.displayWidth(spec.xLabel) <= columns
        ? String(repeating: " ", count: plotLeft) + centered(spec.xLabel, width: columns)
        : centered(spec.xLabel, width: width)
      lines.append(label)
    }
    lines += legend
    return lines.map { TextTable.pad(TextTable.truncate($0, toWidth: width), width, .left) }.joined(separator: "\n")
  }

  /// The marker of the series at `index`.
  static func marker(_ index: Int) -> Character {
    markers[index % markers.count]
  }

  /// The legend: one entry per series (line-style sample, marker, name), per band name and per drawable
  /// reference line, wrapped to `width`.
  static func legendLines(_ spec: PlotSpec, width: Int) -> [String] {
    var entries: [String] = []
    var bands: Set<String> = []
    for (series, index) in zip(spec.series, spec.styleIndices) {
      let m = marker(index)
      switch series.style {
      case .line: entries.append("─\(m)─ " + series.name)
      case .dashed: entries.append("┄\(m)┄ " + series.name)
      case .points: entries.append(" \(m)  " + series.name)
      case .band: if bands.insert(series.name).inserted { entries.append("┄┄┄ " + series.name) }
      }
    }
    entries += spec.drawableHorizontalLines.map { String(repeating: referenceDash, count: 3) + " " + $0.label }
    var lines: [String] = [], current = ""
    for entry in entries.map({ TextTable.truncate(TextTable.flatten($0), toWidth: width) }) {
      if current.isEmpty {
        current = entry
      } else if TextTable.displayWidth(current) + 3 + TextTable.displayWidth(entry) <= width {
        current += "   " + entry
      } else {
        lines.append(current)
        current = entry
      }
    }
    if !current.isEmpty { lines.append(current) }
    return lines
  }

  /// The x tick labels, each centered under its tick column, skipping any that would touch the previous one.
  static func xTickLine(labels: [String], columns: [Int], width: Int) -> String {
    var line = [Character](repeating: " ", count: width)
    var free = 0
    for (label, column) in zip(labels, columns) {
      let characters = Array(label), length = characters.count
      let start = min(max(0, column - length / 2), width - length)
      guard start >= free else { continue }
      for (k, c) in characters.enumerated() { line[start + k] = c }
      free = start + length + 1
    }
    return String(line)
  }

  /// `text` (newlines flattened, cut to `width`) centered in `width` columns.
  static func centered(_ text: String, width: Int) -> String {
    TextTable.pad(TextTable.truncate(TextTable.flatten(text), toWidth: width), width, .center)
  }
}
