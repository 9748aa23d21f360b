import HSQPlots
import HSQTestSupport
import Testing

/// The terminal chart: golden snapshots, exact line widths, awkward inputs, markers and legend.
@Suite struct TerminalPlotTests {
  @Test func lossCurvesSnapshot() {
    assertSnapshot(TerminalPlot.render(PlotFixtures.loss, width: 72, height: 24), named: "terminal-loss.txt")
  }

  @Test func logLogSnapshot() {
    assertSnapshot(TerminalPlot.render(PlotFixtures.logLog, width: 60, height: 18), named: "terminal-loglog.txt")
  }

  @Test func emptySnapshot() {
    assertSnapshot(TerminalPlot.render(PlotFixtures.empty, width: 40, height: 12), named: "terminal-empty.txt")
  }

  /// Every line has exactly `width` columns (each emitted character is one Unicode scalar of width 1).
  @Test(arguments: [24, 31, 57, 80, 133])
  func everyLineHasExactlyTheWidth(width: Int) {
    for (i, spec) in ([PlotFixtures.loss, PlotFixtures.logLog, PlotFixtures.empty] + PlotFixtures.awkward).enumerated() {
      for height in [4, 12, 30] {
        let lines = TerminalPlot.render(spec, width: width, height: height).split(separator: "\n", omittingEmptySubsequences: false)
        for (n, line) in lines.enumerated() {
          #expect(line.unicodeScalars.count == width, "spec \(i), \(width)×\(height), line \(n): '\(line)'")
        }
        if height >= 30 { #expect(lines.count == height, "spec \(i), \(width)×\(height): \(lines.count) lines") }
      }
    }
  }

  @Test func widthsBelowTheMinimumAreRaised() {
    let text = TerminalPlot.render(PlotFixtures.loss, width: 5, height: 10)
    #expect(text.split(separator: "\n").allSatisfy { $0.unicodeScalars.count == 24 })
  }

  @Test func drawsInBrailleWithoutColourCodes() {
    let text = TerminalPlot.render(PlotFixtures.loss, width: 72, height: 24)
    #expect(text.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) })
    #expect(!text.contains("\u{1B}"))
  }

  @Test func seriesAreToldApartByMarkersInPlotAndLegend() {
    let text = TerminalPlot.render(PlotFixtures.loss, width: 72, height: 24)
    let lines = text.split(separator: "\n").map(String.init)
    let plotRows = lines.filter { $0.contains("│") || $0.contains("┤") }
    for marker in ["●", "▲", "■"] {
      #expect(plotRows.contains { $0.contains(marker) }, "marker \(marker) not drawn")
    }
    let legend = lines.last!
    #expect(legend.contains("─●─ hsq d=16 k=256") && legend.contains("┄▲┄ qsgd") && legend.contains(" ■  eval"))
    #expect(legend.contains("╌╌╌ bound"))
    #expect(plotRows.contains { $0.contains("╌ bound ") }, "the reference line is labelled on the plot")
  }

  @Test func yAxisHasThreeToFiveTicksAndXAxisHasTicks() {
    for spec in [PlotFixtures.loss, PlotFixtures.logLog] {
      let lines = TerminalPlot.render(spec, width: 72, height: 24).split(separator: "\n")
      let yTicks = lines.filter { $0.contains("┤") }.count
      #expect((3...5).contains(yTicks), "\(yTicks) y ticks")
      let axis = lines.first { $0.contains("└") }!
      #expect(axis.filter { $0 == "┬" }.count >= 3)
    }
    let log = TerminalPlot.render(PlotFixtures.logLog, width: 60, height: 18)
    for label in ["1e-4", "0.001", "0.01", "0.1", "1k", "10k"] { #expect(log.contains(label), "missing tick \(label)") }
  }

  @Test func nonFiniteAndNonPositiveValuesAreSkipped() {
    let nan = Double.nan
    let spec = PlotSpec(series: [PlotSeries(name: "s", x: [0, 1, 2, 3], y: [1, nan, .infinity, 2])])
    let text = TerminalPlot.render(spec, width: 40, height: 12)
    #expect(!text.contains("no data") && !text.contains("nan") && !text.contains("inf"))
    let onlyNaN = PlotSpec(series: [PlotSeries(name: "s", y: [nan, nan])])
    #expect(TerminalPlot.render(onlyNaN, width: 40, height: 12).contains("no data"))
    let nonPositive = PlotSpec(series: [PlotSeries(name: "s", y: [0, -1, -2])], logY: true)
    #expect(TerminalPlot.render(nonPositive, width: 40, height: 12).contains("no data"))
    let someNegative = PlotSpec(series: [PlotSeries(name: "s", x: [1, 2, 3], y: [-1, 10, 100])], logY: true)
    let rendered = TerminalPlot.render(someNegative, width: 40, height: 12)
    #expect(!rendered.contains("no data") && rendered.contains("100"))
  }

  @Test func renderingIsDeterministic() {
    for spec in PlotFixtures.awkward {
      #expect(TerminalPlot.render(spec, width: 50, height: 16) == TerminalPlot.render(spec, width: 50, height: 16))
    }
  }
}
