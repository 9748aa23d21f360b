import Foundation

/// Axis ticks at round numbers, and their compact labels, shared by ``TerminalPlot`` and ``SVGPlot``.
///
/// Linear axes step by 1, 2 or 5 times a power of ten (Heckbert, "Nice
/// numbers for graph labels", Graphics Gems, 1990), with loose labelling: the
/// first tick is at or below the data and the last at or above it, so the
/// ticks are the ends of the axis. Logarithmic axes put ticks at powers of
/// ten (every k-th decade when there are many; 1, 2, 5 within a single decade).
///
/// Labels are compact and exact: `0.25`, `1.2k`, `3M`, `3.4e-5`.
public enum NiceTicks {
  /// Ticks for a linear axis covering `lower...upper`.
  ///
  /// The step is the smallest of 1, 2 or 5 × 10ᵏ that needs at most
  /// `maxCount` ticks. With `maxCount` ≥ 5 there are always at least 3 ticks
  /// (the next smaller step needed more than `maxCount`, and a step at most
  /// 2.5 times larger leaves at least two intervals). A zero-width range is
  /// widened by one unit of its leading digit on each side (5 → 4…6); a
  /// non-finite bound gives `[0, 0.5, 1]`.
  ///
  /// - Parameters:
  ///   - lower: the smallest value to cover.
  ///   - upper: the largest value to cover.
  ///   - maxCount: the most ticks wanted (at least 2).
  /// - Returns: increasing ticks; the first ≤ `lower`, the last ≥ `upper`.
  public static func linear(lower: Double, upper: Double, maxCount: Int = 5) -> [Double] {
    guard lower.isFinite, upper.isFinite else { return [0, 0.5, 1] }
    var lo = min(lower, upper), hi = max(lower, upper)
    if lo == hi {
      let unit = lo == 0 ? 1 : powerOfTen(Int(log10(abs(lo)).rounded(.down)))
      lo -= unit
      hi += unit
    }
    guard (hi - lo).isFinite else { return [lo, hi] }
    let count = max(2, maxCount)
    var exponent = Int(log10((hi - lo) / Double(count)).rounded(.down)) - 1
    while true {
      for mantissa in [1.0, 2.0, 5.0] {
        let step = value(mantissa, exponent)
        let first = (lo / step + 1e-9).rounded(.down), last = (hi / step - 1e-9).rounded(.up)
        guard abs(first) < 1e15, abs(last) < 1e15 else { return [lo, hi] }
        if last - first + 1 <= Double(count) {
          return stride(from: first, through: last, by: 1).map { value(mantissa * $0, exponent) }
        }
      }
      exponent += 1
    }
  }

  /// Ticks for a base-10 logarithmic axis covering `lower...upper` (both positive).
  ///
  /// Ticks are powers of ten from the decade at or below `lower` to the one at
  /// or above `upper`; with more decades than `maxCount` allows, every k-th
  /// decade. When the data fit in one decade the ticks are 1, 2, 5, 10 times
  /// its power of ten (if `maxCount` ≥ 4). Non-positive or non-finite bounds give `[1, 10]`.
  ///
  /// - Parameters:
  ///   - lower: the smallest value to cover (> 0).
  ///   - upper: the largest value to cover (> 0).
  ///   - maxCount: the most ticks wanted (at least 2).
  /// - Returns: increasing ticks; the first ≤ `lower`, the last ≥ `upper`.
  public static func logarithmic(lower: Double, upper: Double, maxCount: Int = 5) -> [Double] {
    guard lower.isFinite, upper.isFinite, lower > 0, upper > 0 else { return [1, 10] }
    let lo = min(lower, upper), hi = max(lower, upper)
    let a = Int((log10(lo) + 1e-12).rounded(.down))
    var b = Int((log10(hi) - 1e-12).rounded(.up))
    if b <= a { b = a + 1 }
    let count = max(2, maxCount)
    let decades = b - a
    if decades == 1 && count >= 4 {
      return [value(1, a), value(2, a), value(5, a), value(1, b)]
    }
    let every = (decades + count - 2) / (count - 1)
    let steps = (decades + every - 1) / every
    return (0...steps).map { value(1, a + $0 * every) }
  }

  /// The shortest compact label that shows `value` exactly (up to `maxSignificantDigits` digits).
  ///
  /// Tick values carry floating-point noise (`0.30000000000000004`); the
  /// label uses the fewest significant digits that reproduce the value to a
  /// relative 10⁻⁹, so it reads `0.3`.
  ///
  /// - Parameters:
  ///   - value: the number to label.
  ///   - maxSignificantDigits: the most significant digits to show (1…15).
  /// - Returns: the label, e.g. `0.25`, `1.2k`, `3.4e-5`.
  public static func label(_ value: Double, maxSignificantDigits: Int = 6) -> String {
    guard value.isFinite, value != 0 else { return compact(value, significantDigits: 1) }
    let limit = min(15, max(1, maxSignificantDigits))
    for digits in 1..<limit {
      let rounded = Double(String(format: "%.\(digits - 1)e", value)) ?? value
      if abs(rounded - value) <= abs(value) * 1e-9 { return compact(value, significantDigits: digits) }
    }
    return compact(value, significantDigits: limit)
  }

  /// `value` rounded to `significantDigits` and written compactly.
  ///
  /// ```
  /// |v| ≥ 1e15           1.2e15
  /// 1000 ≤ |v| < 1e15    1.2k, 34M, 5G, 1.5T   (SI suffixes)
  /// 0.001 ≤ |v| < 1000   0.5, 12.25, 0.001     (plain decimals)
  /// |v| < 0.001          3.4e-5
  /// ```
  /// Trailing zeros are dropped; zero is `0`, NaN `nan`, infinities `inf` and `-inf`.
  ///
  /// - Parameters:
  ///   - value: the number to write.
  ///   - significantDigits: digits kept (1…15).
  public static func compact(_ value: Double, significantDigits: Int = 3) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value > 0 ? "inf" : "-inf" }
    if value == 0 { return "0" }
    let digitsKept = min(15, max(1, significantDigits))
    let scientific = String(format: "%.\(digitsKept - 1)e", abs(value))
    let parts = scientific.split(separator: "e")
    let digits = Array(parts[0].filter { $0 != "." })
    let exponent = Int(parts[1]) ?? 0
    let sign = value < 0 ? "-" : ""
    switch exponent {
    case 15...:
      return sign + place(digits, integerDigits: 1) + "e\(exponent)"
    case 3...:
      let suffix = ["k", "M", "G", "T"][exponent / 3 - 1]
      return sign + place(digits, integerDigits: exponent % 3 + 1) + suffix
    case (-3)...:
      return sign + place(digits, integerDigits: exponent + 1)
    default:
      return sign + place(digits, integerDigits: 1) + "e\(exponent)"
    }
  }

  /// The decimal digits `digits` with the point after `integerDigits` of them, trailing zeros dropped.
  private static func place(_ digits: [Character], integerDigits: Int) -> String {
    var whole: String, fraction: String
    if integerDigits <= 0 {
      whole = "0"
      fraction = String(repeating: "0", count: -integerDigits) + String(digits)
    } else if integerDigits >= digits.count {
      whole = String(digits) + String(repeating: "0", count: integerDigits - digits.count)
      fraction = ""
    } else {
      whole = String(digits[..<integerDigits])
      fraction = String(digits[integerDigits...])
    }
    while fraction.hasSuffix("0") { fraction.removeLast() }
    return fraction.isEmpty ? whole : whole + "." + fraction
  }

  /// `mantissa × 10^exponent`, dividing by an exact power of ten for negative exponents so 0.3 is 0.3.
  static func value(_ mantissa: Double, _ exponent: Int) -> Double {
    exponent >= 0 ? mantissa * powerOfTen(exponent) : mantissa / powerOfTen(-exponent)
  }

  /// 10ⁿ: exact for 0 ≤ n ≤ 22, correctly rounded for −22 ≤ n < 0.
  static func powerOfTen(_ n: Int) -> Double {
    if n >= 0 && n <= 22 { return (0..<n).reduce(1.0) { acc, _ in acc * 10 } }
    if n < 0 && n >= -22 { return 1 / powerOfTen(-n) }
    return pow(10, Double(n))
  }
}
