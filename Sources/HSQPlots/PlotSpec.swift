/// One named curve of a plot: paired x and y values and how to draw them.
///
/// `x` and `y` are paired by index; when their lengths differ the extra values
/// of the longer one are ignored. Points with a NaN or infinite coordinate
/// are skipped (and, on a logarithmic axis, points whose coordinate is zero
/// or negative); a line is broken at a skipped point rather than drawn across it.
public struct PlotSeries: Sendable, Hashable {
  /// How a series is drawn.
  public enum Style: String, Sendable, Hashable, CaseIterable {
    /// A solid line through consecutive points.
    case line
    /// Unconnected points.
    case points
    /// A dashed line through consecutive points (e.g. a theory curve next to an observed one).
    case dashed
    /// An edge of a band around the series before it (e.g. a 95 % confidence interval): a thin
    /// dashed line in that series' colour, without markers, in the legend once per name.
    case band
  }

  /// The name shown in the legend.
  public var name: String
  /// The x coordinates.
  public var x: [Double]
  /// The y coordinates.
  public var y: [Double]
  /// How the series is drawn.
  public var style: Style
  /// Error bars: per point the low and high ends of a y interval (e.g. a 95 % CI), paired with `x` by index;
  /// an SVG draws them as capped vertical bars (the terminal plot leaves them out). Empty: none.
  public var errorBars: [ErrorBar] = []
  /// Text next to each point in an SVG (e.g. `D=16`), paired with `x` by index; an empty string labels nothing.
  public var pointLabels: [String] = []

  /// The ends of one point's error bar, in y units; a non-finite end (or a non-positive one on a log axis) is left out.
  public struct ErrorBar: Sendable, Hashable {
    public var low: Double
    public var high: Double

    public init(low: Double, high: Double) {
      self.low = low
      self.high = high
    }
  }

  /// Whether an SVG marks every point (a series with error bars or point labels), not a staggered few.
  var marksEveryPoint: Bool { !errorBars.isEmpty || !pointLabels.isEmpty }

  /// A series of paired coordinates.
  ///
  /// - Parameters:
  ///   - name: the legend entry.
  ///   - x: the x coordinates.
  ///   - y: the y coordinates, paired with `x` by index.
  ///   - style: how to draw it (a solid line by default).
  public init(name: String, x: [Double], y: [Double], style: Style = .line) {
    self.name = name
    self.x = x
    self.y = y
    self.style = style
  }

  /// A series whose x coordinates are the indices 0, 1, 2, … of `y`.
  ///
  /// - Parameters:
  ///   - name: the legend entry.
  ///   - y: the y coordinates.
  ///   - style: how to draw it (a solid line by default).
  public init(name: String, y: [Double], style: Style = .line) {
    self.init(name: name, x: y.indices.map(Double.init), y: y, style: style)
  }
}

/// What to plot: series, axes, and horizontal reference lines such as a worst-case bound.
///
/// A spec is plain data; ``TerminalPlot`` and ``SVGPlot`` render it. Both
/// renderers choose the same nice axis ticks (``NiceTicks``), so a terminal
/// plot and its SVG read the same. Any spec renders: with no finite point
/// (empty series, all NaN, or all non-positive on a log axis) the renderers
/// draw empty axes marked "no data".
public struct PlotSpec: Sendable, Hashable {
  /// A horizontal reference line across the whole plot, drawn dashed with its label.
  public struct HorizontalLine: Sendable, Hashable {
    /// The label shown next to the line, e.g. `worst case 1 − δ`.
    public var label: String
    /// The height of the line, in y-axis units; a non-finite value (or, on a log axis, a non-positive one) is skipped.
    public var y: Double

    /// A reference line at height `y`.
    ///
    /// - Parameters:
    ///   - label: the text shown next to the line.
    ///   - y: the height, in y-axis units.
    public init(label: String, y: Double) {
      self.label = label
      self.y = y
    }
  }

  /// The title above the plot (may be empty).
  public var title: String
  /// The label under the x axis (may be empty).
  public var xLabel: String
  /// The label of the y axis (may be empty).
  public var yLabel: String
  /// The curves, drawn in order, each with its own ``SeriesStyle``: colour, marker and dash.
  public var series: [PlotSeries]
  /// Whether the x axis is logarithmic (base 10).
  public var logX: Bool
  /// Whether the y axis is logarithmic (base 10).
  public var logY: Bool
  /// Horizontal reference lines; they are included in the y range.
  public var horizontalLines: [HorizontalLine]
  /// The y values are fractions shown as percentages: the tick at 0.8 reads `80%`.
  public var yPercent: Bool

  /// A plot of `series`.
  ///
  /// - Parameters:
  ///   - title: the title (empty for none).
  ///   - xLabel: the x-axis label (empty for none).
  ///   - yLabel: the y-axis label (empty for none).
  ///   - series: the curves.
  ///   - logX: a logarithmic x axis.
  ///   - logY: a logarithmic y axis.
  ///   - horizontalLines: reference lines, e.g. a theory bound.
  ///   - yPercent: show the y values (fractions) as percentages.
  public init(
    title: String = "", xLabel: String = "", yLabel: String = "", series: [PlotSeries] = [],
    logX: Bool = false, logY: Bool = false, horizontalLines: [HorizontalLine] = [], yPercent: Bool = false
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.logX = logX
    self.logY = logY
    self.horizontalLines = horizontalLines
    self.yPercent = yPercent
  }
}

// MARK: - What can be drawn (shared by the renderers)

/// A point in data units.
struct PlotPoint: Hashable {
  var x: Double
  var y: Double
}

extension PlotSpec {
  /// Whether `value` can be placed on an axis that is logarithmic when `log` is set.
  static func isPlottable(_ value: Double, log: Bool) -> Bool {
    value.isFinite && (!log || value > 0)
  }

  /// The drawable runs of `series`: maximal runs of consecutive plottable points.
  func segments(of series: PlotSeries) -> [[PlotPoint]] {
    var runs: [[PlotPoint]] = []
    var current: [PlotPoint] = []
    for i in 0..<min(series.x.count, series.y.count) {
      let x = series.x[i], y = series.y[i]
      if Self.isPlottable(x, log: logX) && Self.isPlottable(y, log: logY) {
        current.append(PlotPoint(x: x, y: y))
      } else if !current.isEmpty {
        runs.append(current)
        current = []
      }
    }
    if !current.isEmpty { runs.append(current) }
    return runs
  }

  /// Room on each side of the data, as a fraction of its span: a little on the x axis, more on the y axis,
  /// so that no point sits on the frame.
  static let xPadding = 0.02, yPadding = 0.05

  /// The ``SeriesStyle`` index of each series: consecutive over the series, a band taking the one before it.
  var styleIndices: [Int] {
    var next = 0
    return series.map { s in
      if s.style == .band { return max(0, next - 1) }
      next += 1
      return next - 1
    }
  }

  /// How many series have a style of their own (all but bands).
  var styledSeriesCount: Int { series.filter { $0.style != .band }.count }

  /// The reference lines that can be drawn on the y axis.
  var drawableHorizontalLines: [HorizontalLine] {
    horizontalLines.filter { Self.isPlottable($0.y, log: logY) }
  }

  /// Every drawable coordinate: x values, y values (reference lines included), and whether any series point is drawable.
  func axisValues() -> (x: [Double], y: [Double], hasData: Bool) {
    var xs: [Double] = [], ys: [Double] = []
    for s in series {
      for run in segments(of: s) {
        for p in run {
          xs.append(p.x)
          ys.append(p.y)
        }
      }
    }
    let hasData = !xs.isEmpty
    for s in series {
      for (i, bar) in s.errorBars.enumerated() where i < min(s.x.count, s.y.count) {
        guard Self.isPlottable(s.x[i], log: logX), Self.isPlottable(s.y[i], log: logY) else { continue }
        ys += [bar.low, bar.high].filter { Self.isPlottable($0, log: logY) }
      }
    }
    ys += drawableHorizontalLines.map(\.y)
    return (xs, ys, hasData)
  }
}
