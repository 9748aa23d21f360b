import Foundation
import HSQPlots
import Testing

/// Error bars and point labels of a series (the trade-off figures): drawn capped at their ends, inside the axis,
/// every point marked, labels escaped, and a log axis leaving out a non-positive end.
@Suite struct ErrorBarTests {
  static func spec(low: Double = 50, labels: [String] = ["D=2", "", "D=<8>"]) -> PlotSpec {
    var s = PlotSeries(name: "HSQ", x: [10, 100, 1000], y: [100, 300, 1000], style: .line)
    s.errorBars = [.init(low: low, high: 200), .init(low: 300, high: 300), .init(low: 900, high: 5000)]
    s.pointLabels = labels
    return PlotSpec(title: "trade-off", series: [s], logX: true, logY: true)
  }

  @Test func barsAreCappedVerticalLinesAndTheAxisCoversTheirEnds() throws {
    let svg = SVGPlot.render(Self.spec())
    let parsed = SVGPlotTests.parse(svg, "error bars")
    // Two bars (the middle one has zero width and is not drawn), each a line and two caps.
    let bars = parsed.elements.filter { $0.name == "line" && $0.attributes["x1"] == $0.attributes["x2"] && $0.attributes["y1"] != $0.attributes["y2"] }
    let caps = parsed.elements.filter { $0.name == "line" && $0.attributes["y1"] == $0.attributes["y2"]
      && Double($0.attributes["x2"]!)! - Double($0.attributes["x1"]!)! == 8 }
    #expect(caps.count == 4)
    #expect(bars.count >= 2)
    // The top of the highest bar (5000, above every point) is inside the plot frame: the y axis reaches it.
    let frame = try #require(parsed.elements.first { $0.name == "rect" && $0.attributes["fill"] == "none" }?.attributes)
    let frameTop = Double(frame["y"]!)!
    let barTop = bars.map { min(Double($0.attributes["y1"]!)!, Double($0.attributes["y2"]!)!) }.min()!
    #expect(barTop >= frameTop)
    #expect(parsed.texts["text", default: []].contains("D=2"))
    #expect(parsed.texts["text", default: []].contains("D=<8>"), "labels are escaped and parse back")
    #expect(svg.contains("D=&lt;8&gt;"))
  }

  @Test func everyPointOfASeriesWithBarsIsMarked() {
    let svg = SVGPlot.render(Self.spec())
    let plain = SVGPlot.render(PlotSpec(series: [PlotSeries(name: "HSQ", x: [10, 100, 1000], y: [100, 300, 1000], style: .line)], logX: true, logY: true))
    #expect(svg.components(separatedBy: "<title>HSQ</title>").count >= 2)
    #expect(Self.markers(svg) >= 3, "every one of the three points")
    #expect(Self.markers(plain) <= Self.markers(svg))
  }

  /// On a log axis a bar whose low end is ≤ 0 is drawn from the point up.
  @Test func aNonPositiveLowEndOnALogAxisIsLeftOut() {
    let svg = SVGPlot.render(Self.spec(low: -5))
    let parsed = SVGPlotTests.parse(svg, "negative low end")
    for (_, attributes) in parsed.elements {
      for key in ["y1", "y2"] { if let v = attributes[key] { #expect(Double(v)!.isFinite) } }
    }
  }

  /// The first series' markers are circles.
  static func markers(_ svg: String) -> Int {
    svg.components(separatedBy: "\n").filter { $0.hasPrefix("<circle") }.count
  }
}
