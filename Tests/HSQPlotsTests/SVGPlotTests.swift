import Foundation
import HSQCore
import HSQPlots
import HSQTestSupport
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The SVG chart: golden snapshots, well-formed XML, escaping, fixed decimals, colours, log axes, atomic writes.
@Suite struct SVGPlotTests {
  /// Collects elements, attributes and text while parsing.
  final class Collector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var texts: [String: [String]] = [:]
    private var open: [String] = []
    private var text = ""

    func parser(
      _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
      attributes: [String: String] = [:]
    ) {
      elements.append((name, attributes))
      open.append(name)
      text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
      texts[name, default: []].append(text)
      text = ""
      open.removeLast()
    }
  }

  /// Parses `svg`, recording an issue naming `label` when it is not well-formed XML.
  static func parse(_ svg: String, _ label: String) -> Collector {
    let parser = XMLParser(data: Data(svg.utf8))
    let collector = Collector()
    parser.delegate = collector
    let ok = parser.parse()
    #expect(ok, "\(label): \(parser.parserError.map { "\($0)" } ?? "not well-formed") at line \(parser.lineNumber)")
    return collector
  }

  @Test func lossCurvesSnapshot() {
    assertSnapshot(SVGPlot.render(PlotFixtures.loss), named: "svg-loss.svg")
  }

  @Test func logLogSnapshot() {
    assertSnapshot(SVGPlot.render(PlotFixtures.logLog, width: 480, height: 320), named: "svg-loglog.svg")
  }

  @Test func everySpecIsAWellFormedStandaloneSVG() {
    for (i, spec) in ([PlotFixtures.loss, PlotFixtures.logLog, PlotFixtures.empty] + PlotFixtures.awkward).enumerated() {
      let svg = SVGPlot.render(spec, width: 500, height: 300)
      let parsed = Self.parse(svg, "spec \(i)")
      let root = parsed.elements.first
      #expect(root?.name == "svg")
      #expect(root?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
      #expect(root?.attributes["version"] == "1.1")
      #expect(root?.attributes["viewBox"] == "0 0 500 300")
      for (name, attributes) in parsed.elements {
        for key in ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "width", "height"] {
          if let value = attributes[key] {
            #expect(Double(value)?.isFinite == true, "spec \(i): \(name) \(key)=\(value)")
          }
        }
        for pair in (attributes["points"] ?? "").split(separator: " ") {
          #expect(pair.split(separator: ",").allSatisfy { Double($0)?.isFinite == true }, "spec \(i): point \(pair)")
        }
      }
    }
  }

  @Test func textIsEscaped() {
    let nasty = #"a < b & "c" 'd' > e"#
    let spec = PlotSpec(
      title: nasty + "\u{1}", xLabel: "<x>", yLabel: "&y;",
      series: [PlotSeries(name: "</text><script>", y: [1, 2])], horizontalLines: [.init(label: "]]>", y: 1.5)])
    let svg = SVGPlot.render(spec)
    #expect(!svg.contains("<script>") && !svg.contains("\u{1}"))
    let parsed = Self.parse(svg, "escaping")
    #expect(parsed.texts["title"]?.first == nasty)
    let texts = parsed.texts["text"] ?? []
    for expected in [nasty, "<x>", "&y;", "</text><script>", "]]>"] {
      #expect(texts.contains(expected), "missing text \(expected)")
    }
    #expect(SVGPlot.escape("&<>\"'\u{0}\u{FFFF}é") == "&amp;&lt;&gt;&quot;&apos;é")
  }

  @Test func coordinatesHaveTwoDecimals() {
    let svg = SVGPlot.render(PlotFixtures.loss)
    let parsed = Self.parse(svg, "decimals")
    let twoDecimals = try! Regex(#"^-?[0-9]+\.[0-9]{2}$"#)
    for (name, attributes) in parsed.elements {
      for key in ["x1", "y1", "x2", "y2", "cx", "cy"] {
        if let value = attributes[key] { #expect(value.wholeMatch(of: twoDecimals) != nil, "\(name) \(key)=\(value)") }
      }
      if let points = attributes["points"] {
        for pair in points.split(separator: " ") {
          #expect(pair.split(separator: ",").allSatisfy { String($0).wholeMatch(of: twoDecimals) != nil }, "\(pair)")
        }
      }
    }
  }

  @Test func eachSeriesHasItsPaletteColour() {
    let svg = SVGPlot.render(PlotFixtures.loss)
    let groups = Self.parse(svg, "colours").elements.filter { $0.name == "g" }
    #expect(groups.contains { $0.attributes["stroke"] == SeriesStyle.palette[0] && $0.attributes["stroke-dasharray"] == nil })
    #expect(groups.contains { $0.attributes["stroke"] == SeriesStyle.palette[1] && $0.attributes["stroke-dasharray"] != nil })
    #expect(groups.contains { $0.attributes["fill"] == SeriesStyle.palette[2] })
    #expect(Set(SeriesStyle.palette).count == SeriesStyle.palette.count)
  }

  @Test func logAxesAndReferenceLines() {
    let parsed = Self.parse(SVGPlot.render(PlotFixtures.logLog), "log")
    let texts = parsed.texts["text"] ?? []
    for label in ["1e-4", "0.001", "0.01", "0.1", "1", "10", "100", "1k", "10k", "worst case 1 − δ"] {
      #expect(texts.contains(label), "missing \(label)")
    }
    let dashed = parsed.elements.filter { $0.name == "line" && $0.attributes["stroke-dasharray"] != nil }
    #expect(!dashed.isEmpty)
  }

  @Test func emptyInputSaysNoData() {
    let texts = Self.parse(SVGPlot.render(PlotFixtures.empty), "empty").texts["text"] ?? []
    #expect(texts.contains("no data"))
  }

  @Test func longSeriesAreThinnedLosslessly() {
    let n = 100_000
    let y = (0..<n).map { Double(($0 * 7919) % 1000) / 1000 }
    let svg = SVGPlot.render(PlotSpec(series: [PlotSeries(name: "noise", y: y)]))
    _ = Self.parse(svg, "long")
    #expect(svg.utf8.count < 200_000, "\(svg.utf8.count) bytes")
    #expect(svg.contains(#"<polyline points=""#))
  }

  @Test func writeIsAtomicAndMatchesRender() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-svg-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("loss.svg").path
    try SVGPlot.write(PlotFixtures.loss, to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == SVGPlot.render(PlotFixtures.loss))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["loss.svg"])
    #expect(throws: HSQError.self) { try SVGPlot.write(PlotFixtures.loss, to: folder.path + "/missing/loss.svg") }
  }
}
