/// A number of bytes some work is about to allocate, computed with overflow-checked arithmetic.
///
/// Estimates are built from user numbers (a batch size, an IDX header's
/// dimensions, a LIBSVM index), so every product and sum is checked: a
/// result that does not fit in `Int` is ``overflow``, which no
/// ``MemoryBudget`` admits. Negative factors are treated the same way.
///
/// ```
/// let need = MemoryEstimate.floats(batch, width) + MemoryEstimate.bytes(rows)
/// try MemoryBudget.current.check(need, for: "The experiment", detail: "batch × width floats", fix: "Lower 'batch'")
/// ```
public struct MemoryEstimate: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// Bytes, or `nil` when the true figure does not fit in `Int`.
  public let bytes: Int?

  public init(bytes: Int?) {
    self.bytes = bytes.flatMap { $0 >= 0 ? $0 : nil }
  }

  /// Nothing.
  public static let zero = MemoryEstimate(bytes: 0)
  /// More than any machine has.
  public static let overflow = MemoryEstimate(bytes: nil)

  /// The product of `factors` bytes.
  public static func bytes(_ factors: Int...) -> MemoryEstimate { product(factors, elementSize: 1) }
  /// The product of `factors` Float32 values (4 bytes each).
  public static func floats(_ factors: Int...) -> MemoryEstimate { product(factors, elementSize: 4) }
  /// The product of `factors` values of `elementSize` bytes each.
  public static func elements(_ factors: Int..., size elementSize: Int) -> MemoryEstimate { product(factors, elementSize: elementSize) }

  private static func product(_ factors: [Int], elementSize: Int) -> MemoryEstimate {
    var total = elementSize
    for f in factors {
      guard f >= 0 else { return .overflow }
      let (p, overflow) = total.multipliedReportingOverflow(by: f)
      guard !overflow else { return .overflow }
      total = p
    }
    return MemoryEstimate(bytes: total)
  }

  public static func + (a: MemoryEstimate, b: MemoryEstimate) -> MemoryEstimate {
    guard let x = a.bytes, let y = b.bytes else { return .overflow }
    let (s, overflow) = x.addingReportingOverflow(y)
    return overflow ? .overflow : MemoryEstimate(bytes: s)
  }

  public static func * (count: Int, a: MemoryEstimate) -> MemoryEstimate {
    guard let x = a.bytes, count >= 0 else { return .overflow }
    let (p, overflow) = x.multipliedReportingOverflow(by: count)
    return overflow ? .overflow : MemoryEstimate(bytes: p)
  }

  public static func < (a: MemoryEstimate, b: MemoryEstimate) -> Bool {
    switch (a.bytes, b.bytes) {
    case let (x?, y?): return x < y
    case (_?, nil): return true
    default: return false
    }
  }

  /// E.g. `6.1 GB`, `512 MB`, or `more than 8 EB` for an overflow (binary units: 1 GB = 2³⁰ bytes).
  public var description: String {
    guard let bytes else { return "more than 8 EB" }
    return MemoryEstimate.format(bytes)
  }

  /// `bytes` in the largest binary unit that keeps the number ≥ 1: one decimal below 10, else whole.
  static func format(_ bytes: Int) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    if unit == 0 { return "\(bytes) bytes" }
    let rounded = value < 10 ? (value * 10).rounded() / 10 : value.rounded()
    let text = rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    return "\(text) \(units[unit])"
  }
}
