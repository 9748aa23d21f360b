/// A grid of character cells, each a 2×4 block of braille dots (U+2800–U+28FF), to draw lines on.
///
/// Pixel (0, 0) is the top-left dot; x grows right, y grows down. A cell's
/// character is U+2800 plus the bits of its raised dots:
/// ```
/// dot bits    col 0  col 1
///   row 0     0x01   0x08
///   row 1     0x02   0x10
///   row 2     0x04   0x20
///   row 3     0x40   0x80
/// ```
struct BrailleCanvas {
  let columns: Int
  let rows: Int
  private var dots: [UInt8]

  private static let bits: [[UInt8]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]

  /// An empty canvas of `columns × rows` cells.
  init(columns: Int, rows: Int) {
    self.columns = max(0, columns)
    self.rows = max(0, rows)
    dots = [UInt8](repeating: 0, count: self.columns * self.rows)
  }

  /// Dots across.
  var pixelWidth: Int { columns * 2 }
  /// Dots down.
  var pixelHeight: Int { rows * 4 }

  /// Raises the dot at (`x`, `y`); dots outside the canvas are ignored.
  mutating func set(_ x: Int, _ y: Int) {
    guard x >= 0, y >= 0, x < pixelWidth, y < pixelHeight else { return }
    dots[(y / 4) * columns + x / 2] |= Self.bits[y % 4][x % 2]
  }

  /// Where a dashed line is in its pattern: dots advanced so far and the last dot visited.
  struct DashState {
    var count = 0
    var last: (Int, Int)?
  }

  /// Draws a line of dots from `a` to `b` (Bresenham), both ends included.
  ///
  /// With a `dash` length the line alternates `dash` dots drawn and `dash`
  /// skipped. `state` carries the pattern from one segment to the next and
  /// advances only on a new dot, so a curve of many short segments (several
  /// data points per dot) stays dashed instead of restarting on every segment.
  mutating func line(from a: (Int, Int), to b: (Int, Int), dash: Int? = nil, state: inout DashState) {
    var (x, y) = a
    let dx = abs(b.0 - x), dy = -abs(b.1 - y)
    let sx = x < b.0 ? 1 : -1, sy = y < b.1 ? 1 : -1
    var error = dx + dy
    while true {
      if let dash {
        if state.last.map({ $0 != (x, y) }) ?? true {
          state.count += 1
          state.last = (x, y)
        }
        if ((state.count - 1) / dash) % 2 == 0 { set(x, y) }
      } else {
        set(x, y)
      }
      if x == b.0 && y == b.1 { break }
      let e2 = 2 * error
      if e2 >= dy {
        error += dy
        x += sx
      }
      if e2 <= dx {
        error += dx
        y += sy
      }
    }
  }

  /// The braille character of cell (`column`, `row`), or `nil` when no dot in it is raised.
  func character(column: Int, row: Int) -> Character? {
    let d = dots[row * columns + column]
    guard d != 0, let scalar = Unicode.Scalar(0x2800 + UInt32(d)) else { return nil }
    return Character(scalar)
  }
}
