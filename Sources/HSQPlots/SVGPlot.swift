import Foundation
import HSQCore
import HSQExperiments

/// Renders a ``PlotSpec`` as a standalone SVG 1.1 document, for reports, papers and notebooks.
///
/// The document has a title, grid lines at the nice ticks of ``NiceTicks``
/// (the same ticks as ``TerminalPlot``), labelled axes (base-10 logarithmic
/// where asked; percentages where the spec says so), each series in its own
/// ``SeriesStyle`` — colour, dash pattern and marker shape, so the series stay
/// apart in greyscale and for colour-blind readers — dashed grey reference
/// lines labelled at their right end, and a legend under the plot whose
/// swatches show each series' line, dash and marker. Text is XML-escaped.
///
/// Output is deterministic byte for byte: coordinates are written with two
/// decimals, text widths are estimated from character counts (never measured
/// from fonts), and nothing depends on the time or the machine — a notebook
/// re-run produces the same file.
public enum SVGPlot {
  static let referenceColour = "#555555"
  static let gridColour = "#e3e3e3"
  static let axisColour = "#444444"
  static let labelColour = "#333333"
  static let noDataColour = "#888888"
  static let background = "#ffffff"
  static let fontSize = 12.0

  /// The plot as an SVG document (UTF-8 text ending with a newline).
  ///
  /// - Parameters:
  ///   - spec: what to plot.
  ///   - width: the width in pixels (at least 240).
  ///   - height: the height in pixels (at least 160).
  /// - Returns: a standalone SVG 1.1 document with `xmlns` and `viewBox`.
  public static func render(_ spec: PlotSpec, width: Int = 640, height: Int = 400) -> String {
    let w = Double(max(width, 240)), h = Double(max(height, 160))
    let legend = Legend(spec: spec, width: w)
    let (frame, hasData) = layout(spec, legend: legend, width: w, height: h)

    var svg: [String] = [
      #"<?xml version="1.0" encoding="UTF-8" standalone="no"?>"#,
      #"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\#(Int(w))" height="\#(Int(h))" "#
        + #"viewBox="0 0 \#(Int(w)) \#(Int(h))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" "#
        + #"font-size="\#(Int(fontSize))">"#,
      "<title>\(escape(spec.title.isEmpty ? "plot" : spec.title))</title>",
      #"<rect x="0" y="0" width="\#(Int(w))" height="\#(Int(h))" fill="\#(background)"/>"#,
    ]
    svg += frame.gridAndAxes()
    for line in spec.drawableHorizontalLines {
      let y = number(frame.py(line.y))
      svg.append(
        #"<line x1="\#(number(frame.left))" y1="\#(y)" x2="\#(number(frame.right))" y2="\#(y)" "#
          + #"stroke="\#(referenceColour)" stroke-width="1.5" stroke-dasharray="6 4"/>"#)
      svg.append(
        #"<text x="\#(number(frame.right - 4))" y="\#(number(frame.py(line.y) - 4))" text-anchor="end" "#
          + #"font-size="11" fill="\#(referenceColour)">\#(escape(line.label))</text>"#)
    }
    let indices = spec.styleIndices, count = spec.styledSeriesCount
    for (series, index) in zip(spec.series, indices) {
      svg += frame.draw(series, runs: spec.segments(of: series), style: SeriesStyle(index: index), index: index, of: count)
    }
    if !hasData {
      svg.append(
        #"<text x="\#(number(frame.left + frame.width / 2))" y="\#(number(frame.top + frame.height / 2))" "#
          + #"text-anchor="middle" font-size="14" fill="\#(noDataColour)">no data</text>"#)
    }
    svg += titles(spec, frame: frame, width: w)
    svg += legend.draw(top: frame.bottom + (spec.xLabel.isEmpty ? 30 : 50))
    svg.append("</svg>")
    return svg.joined(separator: "\n") + "\n"
  }

  /// The plot area in a `w`×`h` image, after room for the title, the axis and tick labels and
  /// the legend; and whether any series has a point to draw.
  private static func layout(_ spec: PlotSpec, legend: Legend, width w: Double, height h: Double) -> (Frame, Bool) {
    let top = spec.title.isEmpty ? 16.0 : 40
    let bottom = 28 + (spec.xLabel.isEmpty ? 0 : 20) + Double(legend.rows.count) * 20 + 8
    let plotHeight = max(40, h - top - bottom)
    let values = spec.axisValues()
    let yAxis = PlotAxis(
      values: values.y, logarithmic: spec.logY, maxTicks: min(8, max(3, Int(plotHeight / 40))), padding: PlotSpec.yPadding,
      percent: spec.yPercent)
    let tickWidth = yAxis.labels.map(textWidth).max() ?? 0
    let left = 12 + (spec.yLabel.isEmpty ? 0 : 20) + tickWidth + 8
    let plotWidth = max(40, w - left - 24)
    let xAxis = PlotAxis(
      values: values.x, logarithmic: spec.logX, maxTicks: min(8, max(2, Int(plotWidth / 70))), padding: PlotSpec.xPadding)
    return (Frame(left: left, top: top, width: plotWidth, height: plotHeight, x: xAxis, y: yAxis), values.hasData)
  }

  /// The title and the axis labels, each where the spec has one.
  private static func titles(_ spec: PlotSpec, frame: Frame, width w: Double) -> [String] {
    var svg: [String] = []
    if !spec.title.isEmpty {
      // 15 px bold, or smaller so that a long title still fits the width (bold is about 0.65 em a character).
      let size = min(15, max(9, (w - 24) / (Double(TextTable.displayWidth(spec.title)) * 0.65)))
      svg.append(
        #"<text x="\#(number(w / 2))" y="26.00" text-anchor="middle" font-size="\#(number(size))" font-weight="bold">"#
          + #"\#(escape(spec.title))</text>"#)
    }
    if !spec.xLabel.isEmpty {
      svg.append(
        #"<text x="\#(number(frame.left + frame.width / 2))" y="\#(number(frame.bottom + 42))" "#
          + #"text-anchor="middle">\#(escape(spec.xLabel))</text>"#)
    }
    if !spec.yLabel.isEmpty {
      svg.append(
        #"<text transform="translate(20.00,\#(number(frame.top + frame.height / 2))) rotate(-90)" "#
          + #"text-anchor="middle">\#(escape(spec.yLabel))</text>"#)
    }
    return svg
  }

  /// Writes the plot's SVG to `path` atomically (temporary file, then rename).
  ///
  /// - Parameters:
  ///   - spec: what to plot.
  ///   - path: the file to write, e.g. `results/loss.svg`; its folder must exist.
  ///   - width: the width in pixels.
  ///   - height: the height in pixels.
  /// - Throws: ``HSQError/fileFormat(path:position:problem:)`` when the file cannot be written.
  public static func write(_ spec: PlotSpec, to path: String, width: Int = 640, height: Int = 400) throws {
    try AtomicFile.write(render(spec, width: width, height: height), to: path)
  }

  // MARK: - Text

  /// `text` with the XML special characters escaped and the characters XML 1.0 forbids
  /// (C0 controls other than tab and line breaks, U+FFFE, U+FFFF) dropped.
  ///
  /// - Parameter text: any string.
  /// - Returns: text safe inside an XML element or a quoted attribute.
  public static func escape(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\t", "\n", "\r": out.unicodeScalars.append(" ")
      case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// `value` with exactly two decimals (`-0.00` written as `0.00`), so output is the same byte for byte.
  static func number(_ value: Double) -> String {
    let text = String(format: "%.2f", value)
    return text == "-0.00" ? "0.00" : text
  }

  /// The estimated width of `text` in pixels at the base font size (0.6 em a column).
  static func textWidth(_ text: String) -> Double {
    Double(TextTable.displayWidth(text)) * fontSize * 0.6
  }
}
