import Foundation

/// One axis of a plot: its ticks, their labels, and the map from data units to a 0…1 fraction.
///
/// Both renderers build their axes here, so a terminal plot and the SVG of
/// the same spec have the same range and ticks. The range is the data's,
/// widened by `padding` (a fraction of the data's span, in log10 units on a
/// logarithmic axis) on each side, so no point sits on the frame; the ticks
/// are round values inside it (``NiceTicks/linear(inside:_:maxCount:)``,
/// ``NiceTicks/logarithmic(inside:_:maxCount:)``), so a log axis ends within
/// the padding of its data and shows no empty decade. A single value is
/// widened by one unit of its leading digit (half a decade on a log axis);
/// where fewer than two round values fall inside, the axis grows to the
/// covering ticks of ``NiceTicks``.
struct PlotAxis {
  let logarithmic: Bool
  let ticks: [Double]
  let labels: [String]
  /// The low end of the axis, in data units.
  let lower: Double
  /// The high end of the axis, in data units.
  let upper: Double

  /// The axis covering `values` (all finite, and positive when `logarithmic`); empty values give 0…1 (1…10 on a log axis).
  ///
  /// - Parameters:
  ///   - values: the data on this axis.
  ///   - logarithmic: a base-10 logarithmic axis.
  ///   - maxTicks: the most ticks wanted.
  ///   - padding: room on each side, as a fraction of the data's span (0.05: 5 %).
  ///   - percent: the values are fractions shown as percentages (tick `0.8` reads `80%`).
  init(values: [Double], logarithmic: Bool, maxTicks: Int, padding: Double = 0, percent: Bool = false) {
    self.logarithmic = logarithmic
    var lo = Double.infinity, hi = -Double.infinity
    for v in values {
      lo = min(lo, v)
      hi = max(hi, v)
    }
    let empty = values.isEmpty
    if empty { (lo, hi) = logarithmic ? (1, 10) : (0, 1) }
    var (a, b) = Self.padded(lo, hi, logarithmic: logarithmic, padding: empty ? 0 : padding)
    var ticks = logarithmic
      ? NiceTicks.logarithmic(inside: a, b, maxCount: maxTicks) : NiceTicks.linear(inside: a, b, maxCount: maxTicks)
    if ticks.count < 2 {
      ticks = logarithmic
        ? NiceTicks.logarithmic(lower: lo, upper: hi, maxCount: maxTicks) : NiceTicks.linear(lower: lo, upper: hi, maxCount: maxTicks)
      a = min(ticks.first ?? a, a)
      b = max(ticks.last ?? b, b)
    }
    self.ticks = ticks
    labels = ticks.map { percent ? NiceTicks.label($0 * 100) + "%" : NiceTicks.label($0) }
    lower = a
    upper = b
  }

  /// `lo…hi` widened by `padding` of its span on each side (in log10 units when `logarithmic`); a single
  /// value by a unit of its leading digit (half a decade); the unpadded range where padding would overflow.
  static func padded(_ lo: Double, _ hi: Double, logarithmic: Bool, padding: Double) -> (Double, Double) {
    if logarithmic {
      let a = log10(lo), b = log10(hi)
      let pad = b > a ? padding * (b - a) : 0.5
      let range = (pow(10, a - pad), pow(10, b + pad))
      return range.0 > 0 && range.1.isFinite ? range : (lo, hi)
    }
    if hi == lo {
      let unit = lo == 0 ? 1 : NiceTicks.powerOfTen(Int(log10(abs(lo)).rounded(.down)))
      return (lo - unit, hi + unit)
    }
    let pad = padding * (hi - lo)
    let range = (lo - pad, hi + pad)
    return range.0.isFinite && range.1.isFinite && (range.1 - range.0).isFinite ? range : (lo, hi)
  }

  /// Where `value` sits along the axis: 0 at ``lower``, 1 at ``upper`` (linear or log10 scale), clamped to 0…1.
  func fraction(_ value: Double) -> Double {
    let (a, b, v) = logarithmic ? (log10(lower), log10(upper), log10(value)) : (lower, upper, value)
    // Halved so that a range near ±Double.greatestFiniteMagnitude does not overflow.
    let f = (v / 2 - a / 2) / (b / 2 - a / 2)
    return b > a && f.isFinite ? min(1, max(0, f)) : 0.5
  }
}
