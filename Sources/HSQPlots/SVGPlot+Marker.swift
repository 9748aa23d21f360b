extension SVGPlot {
  /// The radius of a marker: half its width, in pixels.
  static let markerRadius = 4.0

  /// The attributes of the group holding a series' markers: filled shapes in `colour`; open ones
  /// white inside (the line does not show through) with a `colour` outline; plus and cross as strokes.
  ///
  /// The group's class names the shape (`marker-open-circle`), so a reader of the file can tell them apart.
  static func markerGroup(_ marker: SeriesStyle.Marker, colour: String) -> String {
    let paint: String
    switch marker {
    case .plus, .cross: paint = #"fill="none" stroke="\#(colour)" stroke-width="2""#
    case _ where marker.isOutline: paint = #"fill="\#(background)" stroke="\#(colour)" stroke-width="1.5""#
    default: paint = #"fill="\#(colour)" stroke="\#(background)" stroke-width="0.75""#
    }
    return #"<g class="marker-\#(marker.rawValue)" \#(paint)>"#
  }

  /// The element of one `marker` centred at (`x`, `y`), painted by its group (``markerGroup(_:colour:)``).
  ///
  /// Shapes have about the same area: a circle of radius 4, a square of side 7, a diamond and
  /// triangles reaching 5 from the centre, a plus and a cross 9 across.
  static func markerElement(_ marker: SeriesStyle.Marker, x: Double, y: Double) -> String {
    let n = number
    let r = markerRadius
    func polygon(_ points: [(Double, Double)]) -> String {
      #"<polygon points="\#(points.map { n(x + $0.0) + "," + n(y + $0.1) }.joined(separator: " "))"/>"#
    }
    switch marker {
    case .circle, .openCircle:
      return #"<circle cx="\#(n(x))" cy="\#(n(y))" r="\#(n(r))"/>"#
    case .square, .openSquare:
      return #"<rect x="\#(n(x - 3.5))" y="\#(n(y - 3.5))" width="7.00" height="7.00"/>"#
    case .triangle, .openTriangle:
      return polygon([(0, -5), (4.5, 3.5), (-4.5, 3.5)])
    case .diamond, .openDiamond:
      return polygon([(0, -5), (5, 0), (0, 5), (-5, 0)])
    case .plus:
      return #"<path d="M\#(n(x - 4.5)) \#(n(y))H\#(n(x + 4.5))M\#(n(x)) \#(n(y - 4.5))V\#(n(y + 4.5))"/>"#
    case .cross:
      return #"<path d="M\#(n(x - 3.5)) \#(n(y - 3.5))L\#(n(x + 3.5)) \#(n(y + 3.5))M\#(n(x - 3.5)) \#(n(y + 3.5))L\#(n(x + 3.5)) \#(n(y - 3.5))"/>"#
    }
  }

  /// Which of a series' points (in pixels, in order) get a marker.
  ///
  /// A series of at most 25 points gets one at every point. A longer one
  /// gets one at the point nearest each of 10 evenly spaced x positions across
  /// the plot, the positions of series `index` (of `count`) shifted by
  /// `index / count` of the spacing, so curves that lie on top of each other
  /// still show every series' markers.
  ///
  /// - Parameters:
  ///   - points: the series' points in pixels.
  ///   - index: the series' style index.
  ///   - count: how many series have a style.
  ///   - left: the plot's left edge in pixels.
  ///   - width: the plot's width in pixels.
  /// - Returns: indices into `points`, increasing.
  static func markerIndices(_ points: [(Double, Double)], index: Int, of count: Int, left: Double, width: Double) -> [Int] {
    if points.count <= 25 { return Array(points.indices) }
    let spacing = width / 10
    var chosen: [Int] = []
    var target = left + spacing * (Double(index) + 0.5) / Double(max(1, count))
    while target <= left + width {
      var best: Int?
      for (i, p) in points.enumerated() where abs(p.0 - target) <= spacing / 2 {
        if best.map({ abs(p.0 - target) < abs(points[$0].0 - target) }) ?? true { best = i }
      }
      if let best, chosen.last != best { chosen.append(best) }
      target += spacing
    }
    return chosen.sorted()
  }
}
