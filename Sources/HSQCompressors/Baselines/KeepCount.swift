import HSQCore

/// How many coordinates a sparsifier (`topk`, `randomk`) keeps: a fixed k, or a ratio of d.
struct KeepCount: Sendable, Hashable {
  /// k as given (clamped to d when used), or `nil` to use ``ratio``.
  let k: Int?
  /// k = ⌈ratio·d⌉ (at least 1, at most d) when ``k`` is `nil`.
  let ratio: Double

  static let kRange = 1...Int(Int32.max)
  static let ratioRange = 1e-9...1.0

  /// The parameters both sparsifiers declare.
  static let parameters: [ParameterSpec] = [
    .int("k", kRange, default: nil, doc: "Coordinates kept (at most d); when given it overrides ratio."),
    .double("ratio", ratioRange, default: 0.01, doc: "Fraction of coordinates kept when k is not given: k = ⌈ratio·d⌉, at least 1."),
  ]

  init(k: Int?, ratio: Double, component: String) throws {
    if let k, !Self.kRange.contains(k) {
      throw HSQError.invalidParameter(component: component, parameter: "k", problem: "\(k) is out of range; give a value in 1...\(Int32.max).")
    }
    guard Self.ratioRange.contains(ratio) else {
      throw HSQError.invalidParameter(component: component, parameter: "ratio", problem: "\(ratio) is out of range; give a value in 1e-09...1.")
    }
    self.k = k
    self.ratio = ratio
  }

  init(_ parameters: ParameterValues) throws {
    try self.init(k: parameters.optionalInt("k"), ratio: parameters.double("ratio"), component: parameters.component)
  }

  /// The number of coordinates kept of `d`.
  func count(for d: Int) -> Int {
    guard d > 0 else { return 0 }
    if let k { return min(k, d) }
    // The 1e-12 keeps ratio·d that is an integer up to rounding (0.01·1000) from rounding up.
    let wanted = (ratio * Double(d) * (1 - 1e-12)).rounded(.up)
    return min(d, max(1, Int(wanted)))
  }

  /// `k=…` or `ratio=…` for the canonical spelling.
  var spelling: String { k.map { "k=\($0)" } ?? "ratio=\(ratio)" }
}
