import Foundation

/// One axis of a plot: its ticks, their labels, and the map from data units to a 0…1 fraction.
///
/// Both renderers build their axes here, so a terminal plot and the SVG of
/// the same spec have the same range and ticks. The range runs from the first
/// tick to the last (loose labelling, see ``NiceTicks``).
struct PlotAxis {
  let logarithmic: Bool
  let ticks: [Double]
  let labels: [String]
  /// The low end of the axis, in data units (the first tick).
  let lower: Double
  /// The high end of the axis, in data units (the last tick).
  let upper: Double

  /// The axis covering `values` (all finite, and positive when `logarithmic`); empty values give 0…1 (1…10 on a log axis).
  init(values: [Double], logarithmic: Bool, maxTicks: Int) {
    self.logarithmic = logarithmic
    var lo = Double.infinity, hi = -Double.infinity
    for v in values {
      lo = min(lo, v)
      hi = max(hi, v)
    }
    if values.isEmpty { (lo, hi) = logarithmic ? (1, 10) : (0, 1) }
    ticks = logarithmic
      ? NiceTicks.logarithmic(lower: lo, upper: hi, maxCount: maxTicks)
      : NiceTicks.linear(lower: lo, upper: hi, maxCount: maxTicks)
    labels = ticks.map { NiceTicks.label($0) }
    lower = min(ticks.first ?? lo, lo)
    upper = max(ticks.last ?? hi, hi)
  }

  /// Where `value` sits along the axis: 0 at ``lower``, 1 at ``upper`` (linear or log10 scale), clamped to 0…1.
  func fraction(_ value: Double) -> Double {
    let (a, b, v) = logarithmic ? (log10(lower), log10(upper), log10(value)) : (lower, upper, value)
    // Halved so that a range near ±Double.greatestFiniteMagnitude does not overflow.
    let f = (v / 2 - a / 2) / (b / 2 - a / 2)
    return b > a && f.isFinite ? min(1, max(0, f)) : 0.5
  }
}
