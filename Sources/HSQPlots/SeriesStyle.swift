/// How one series is told apart from the others: its colour, its marker and its dash pattern.
///
/// Series `i` gets colour `i mod 10`, marker `i mod 10` and dash `i mod 7`, so
/// two series never share all three before the 70th, and a figure stays
/// readable in greyscale or to a colour-blind reader: the markers and dashes
/// differ even where the colours do not.
///
/// **Palette.** Ten colours at spread hues, ordered so that neighbours
/// alternate dark and light and the first three (blue, orange, green) are far
/// apart in hue, as a plot of two or three series uses only those:
/// ```
/// index   colour    L*    BT.601 luma   hue
///   0     #004BAD   34        64        blue
///   1     #F5763B   64       149        orange
///   2     #198F3D   52        98        green
///   3     #570453   19        38        plum
///   4     #DFAC00   73       168        gold
///   5     #D2163A   45        82        crimson
///   6     #009AAC   58       110        teal
///   7     #004A34   27        49        dark green
///   8     #8357BB   46       112        violet
///   9     #8E9B30   61       139        olive
/// ```
/// Any two of the first eight differ by at least 5 in CIE L\* (the grey level
/// of a luminance conversion), by at least 11 of 255 in BT.601 luma (the
/// grey of a plain "desaturate") and by at least 35 in CIE76 ΔE. None is
/// lighter than L\* 73, so every line shows on white.
///
/// **Markers** are the terminal plot's glyphs drawn as shapes: filled circle,
/// triangle, square, diamond; the same four open; plus and cross.
public struct SeriesStyle: Sendable, Hashable {
  /// The shape drawn at a series' points, the same in the terminal (``glyph``) and in SVG.
  public enum Marker: String, CaseIterable, Sendable {
    case circle, triangle, square, diamond
    case openCircle = "open-circle", openTriangle = "open-triangle", openSquare = "open-square", openDiamond = "open-diamond"
    case plus, cross

    /// The character the terminal plot draws for this marker.
    public var glyph: Character {
      switch self {
      case .circle: return "●"
      case .triangle: return "▲"
      case .square: return "■"
      case .diamond: return "◆"
      case .openCircle: return "○"
      case .openTriangle: return "△"
      case .openSquare: return "□"
      case .openDiamond: return "◇"
      case .plus: return "+"
      case .cross: return "×"
      }
    }

    /// Whether the shape is drawn as an outline (open shapes, plus, cross) rather than filled.
    public var isOutline: Bool {
      switch self {
      case .circle, .triangle, .square, .diamond: return false
      default: return true
      }
    }
  }

  /// The series colours in order (see the table above); they repeat after ten series.
  public static let palette = [
    "#004BAD", "#F5763B", "#198F3D", "#570453", "#DFAC00", "#D2163A", "#009AAC", "#004A34", "#8357BB", "#8E9B30",
  ]

  /// SVG `stroke-dasharray` patterns in order (`nil`: solid); they repeat after seven series.
  ///
  /// Solid, dashed, dotted, dash-dot, short dashes, dash-dot-dot, long dashes: patterns that
  /// stay apart at a stroke width of 2 and still show on a curve a few centimetres long.
  public static let dashes: [String?] = [nil, "8 4", "2 3", "10 3 2 3", "4 3", "12 3 2 3 2 3", "16 5"]

  /// The colour, `#RRGGBB`.
  public let colour: String
  /// The marker shape.
  public let marker: Marker
  /// The SVG dash pattern, or `nil` for a solid line.
  public let dash: String?

  /// The style of the series at `index` (0 for the first series).
  public init(index: Int) {
    let i = max(0, index)
    colour = Self.palette[i % Self.palette.count]
    marker = Marker.allCases[i % Marker.allCases.count]
    dash = Self.dashes[i % Self.dashes.count]
  }

  /// The dash pattern for a series drawn ``PlotSeries/Style/dashed``: its own pattern, or plain dashes where that is solid.
  public var forcedDash: String { dash ?? "8 4" }
}
