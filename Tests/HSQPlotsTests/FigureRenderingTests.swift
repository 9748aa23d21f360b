import Foundation
import HSQPlots
import HSQTestSupport
import Testing

/// Notebook 03's kind of figure, six series, as a reader sees it: a snapshot of the SVG, its series in six
/// colours, markers and dashes, and the PNG `rsvg-convert` draws from it with six different legend markers.
@Suite struct FigureRenderingTests {
  static let svg = SVGPlot.render(PlotFixtures.sixSeries)

  /// A legend swatch: where its marker is centred, the series' colour and the marker's shape.
  struct Swatch {
    let x: Double
    let y: Double
    let colour: String
    let shape: String
  }

  /// The legend's swatches, in order: each a `line` followed by its marker group (`class="marker-…"`).
  static func swatches(_ parsed: SVGPlotTests.Collector) -> [Swatch] {
    let elements = parsed.elements
    return elements.indices.dropLast().compactMap { i in
      let (line, group) = (elements[i], elements[i + 1])
      guard line.name == "line", let colour = line.attributes["stroke"], let x = Double(line.attributes["x1"] ?? ""),
        let y = Double(line.attributes["y1"] ?? ""), let shape = group.attributes["class"], shape.hasPrefix("marker-")
      else { return nil }
      return Swatch(x: x + 15, y: y, colour: colour, shape: shape)
    }
  }

  @Test func sixSeriesSnapshot() {
    assertSnapshot(Self.svg, named: "svg-six-series.svg")
  }

  @Test func everySeriesHasItsOwnColourMarkerAndDash() {
    let parsed = SVGPlotTests.parse(Self.svg, "six series")
    let lines = parsed.elements.filter { $0.name == "g" && $0.attributes["stroke-linejoin"] == "round" }
    #expect(lines.count == 6)
    #expect(Set(lines.compactMap { $0.attributes["stroke"] }) == Set(SeriesStyle.palette.prefix(6)))
    #expect(Set(lines.map { $0.attributes["stroke-dasharray"] ?? "solid" }).count == 6, "\(lines.map(\.attributes))")
    let markerGroups = parsed.elements.filter { $0.name == "g" && $0.attributes["class"]?.hasPrefix("marker-") == true }
    let shapes = Set(markerGroups.compactMap { $0.attributes["class"] })
    #expect(shapes == Set(SeriesStyle.Marker.allCases.prefix(6).map { "marker-" + $0.rawValue }))
    let swatches = Self.swatches(parsed)
    #expect(swatches.count == 6 && Set(swatches.map(\.shape)).count == 6 && Set(swatches.map(\.colour)).count == 6)
    let legend = parsed.texts["text"] ?? []
    for series in PlotFixtures.sixSeries.series { #expect(legend.contains(series.name), "legend lacks '\(series.name)'") }
    for tick in ["60%", "70%", "80%"] { #expect(legend.contains(tick), "no y tick \(tick)") }
  }

  /// Renders the figure with rsvg-convert and compares the six legend markers pixel by pixel: each 13×13
  /// patch shows its series' colour, and no two patches have the same ink outside the swatch line's rows.
  @Test(.requires("rsvg-convert (apt-get install librsvg2-bin)", executableOnPath("rsvg-convert") != nil))
  func theRenderedMarkersDiffer() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-figure-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let svgPath = folder.appendingPathComponent("six.svg").path, pngPath = folder.appendingPathComponent("six.png").path
    try Data(Self.svg.utf8).write(to: URL(fileURLWithPath: svgPath))
    let (status, output) = try Subprocess.run(executableOnPath("rsvg-convert")!, ["-o", pngPath, svgPath])
    #expect(status == 0, "rsvg-convert: \(output)")
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: pngPath)))
    let image = try PNGImage(bytes)
    #expect(image.width == 640 && image.height == 400)
    func ink(_ x: Int, _ y: Int) -> Bool {
      let p = image.pixel(x, y)
      return p.a > 128 && max(255 - p.r, 255 - p.g, 255 - p.b) > 60
    }
    let inked = (0..<image.height).reduce(0) { sum, y in sum + (0..<image.width).filter { ink($0, y) }.count }
    #expect(inked > 10_000, "only \(inked) pixels are drawn")

    var masks: [[Bool]] = []
    for swatch in Self.swatches(SVGPlotTests.parse(Self.svg, "six series")) {
      let cx = Int(swatch.x.rounded()), cy = Int(swatch.y.rounded())
      let target = (r: Int(swatch.colour.dropFirst().prefix(2), radix: 16)!, g: Int(swatch.colour.dropFirst(3).prefix(2), radix: 16)!,
                    b: Int(swatch.colour.dropFirst(5).prefix(2), radix: 16)!)
      var mask: [Bool] = [], closest = Int.max
      for dy in -6...6 {
        for dx in -6...6 {
          let p = image.pixel(cx + dx, cy + dy)
          closest = min(closest, max(abs(p.r - target.r), abs(p.g - target.g), abs(p.b - target.b)))
          if abs(dy) > 1 { mask.append(ink(cx + dx, cy + dy)) }
        }
      }
      #expect(closest <= 24, "\(swatch.shape): its colour \(swatch.colour) is not drawn (closest channel distance \(closest))")
      #expect(mask.contains(true), "\(swatch.shape): no marker drawn")
      masks.append(mask)
    }
    #expect(masks.count == 6)
    for i in masks.indices {
      for j in masks.indices where j > i { #expect(masks[i] != masks[j], "legend markers \(i) and \(j) look the same") }
    }
  }
}
