import HSQCore

/// How a dataset's features are rescaled after loading.
///
/// Statistics always come from the training examples only and are applied
/// unchanged to the test examples, so no test information leaks into training.
///
/// ```
/// none         x
/// scale        (x − lo) / (hi − lo)      lo, hi: the format's range (0 and 255 for
///                                        8-bit images) or else each feature's train min/max
/// standardize  (x − mean) / std          per feature, train mean and population std
/// ```
///
/// A constant feature (hi = lo, or std = 0) is mapped to 0 rather than divided by zero.
public enum Normalization: String, Sendable, Hashable, CaseIterable {
  case none
  case scale
  case standardize

  /// The `normalize` parameter with the source's default.
  static func parameter(default value: Normalization) -> ParameterSpec {
    .choice(
      "normalize", allCases.map(\.rawValue), default: value.rawValue,
      doc: "none, scale (to [0,1]: /255 for 8-bit images, else per-feature train min/max) or standardize (per-feature train mean/std).")
  }

  /// The `normalize` value of `parameters`.
  static func from(_ parameters: ParameterValues) -> Normalization {
    Normalization(rawValue: parameters.string("normalize")) ?? .none
  }

  /// Rescales `train` and `test` features (row-major, `featureCount` columns) in place.
  ///
  /// - Parameter range: the known range of the raw values (e.g. `0...255`) for `scale`;
  ///   `nil` uses each feature's train minimum and maximum.
  func apply(train: inout [Float], test: inout [Float], featureCount: Int, range: ClosedRange<Float>? = nil) {
    guard self != .none, featureCount > 0 else { return }
    var offset = [Double](repeating: 0, count: featureCount)
    var factor = [Double](repeating: 1, count: featureCount)
    switch self {
    case .none:
      return
    case .scale:
      if let range {
        let width = Double(range.upperBound - range.lowerBound)
        for j in 0..<featureCount {
          offset[j] = Double(range.lowerBound)
          factor[j] = width > 0 ? 1 / width : 0
        }
      } else {
        let (lo, hi) = Normalization.extremes(train, featureCount: featureCount)
        for j in 0..<featureCount {
          offset[j] = lo[j]
          factor[j] = hi[j] > lo[j] ? 1 / (hi[j] - lo[j]) : 0
        }
      }
    case .standardize:
      let (mean, std) = Normalization.moments(train, featureCount: featureCount)
      for j in 0..<featureCount {
        offset[j] = mean[j]
        factor[j] = std[j] > 0 ? 1 / std[j] : 0
      }
    }
    Normalization.transform(&train, featureCount: featureCount, offset: offset, factor: factor)
    Normalization.transform(&test, featureCount: featureCount, offset: offset, factor: factor)
  }

  private static func transform(_ x: inout [Float], featureCount: Int, offset: [Double], factor: [Double]) {
    let o = offset.map { Float($0) }, f = factor.map { Float($0) }
    x.withUnsafeMutableBufferPointer { p in
      o.withUnsafeBufferPointer { o in
        f.withUnsafeBufferPointer { f in
          var i = 0
          while i < p.count {
            for j in 0..<featureCount { p[i + j] = (p[i + j] - o[j]) * f[j] }
            i += featureCount
          }
        }
      }
    }
  }

  /// Per-feature minimum and maximum.
  static func extremes(_ x: [Float], featureCount: Int) -> (lo: [Double], hi: [Double]) {
    var lo = [Float](repeating: .infinity, count: featureCount)
    var hi = [Float](repeating: -.infinity, count: featureCount)
    x.withUnsafeBufferPointer { p in
      var i = 0
      while i < p.count {
        for j in 0..<featureCount {
          lo[j] = min(lo[j], p[i + j])
          hi[j] = max(hi[j], p[i + j])
        }
        i += featureCount
      }
    }
    if x.isEmpty { return ([Double](repeating: 0, count: featureCount), [Double](repeating: 0, count: featureCount)) }
    return (lo.map(Double.init), hi.map(Double.init))
  }

  /// Per-feature mean and population standard deviation, accumulated in Double (two passes).
  static func moments(_ x: [Float], featureCount: Int) -> (mean: [Double], std: [Double]) {
    let rows = x.count / max(featureCount, 1)
    var mean = [Double](repeating: 0, count: featureCount)
    var variance = [Double](repeating: 0, count: featureCount)
    guard rows > 0 else { return (mean, variance) }
    x.withUnsafeBufferPointer { p in
      mean.withUnsafeMutableBufferPointer { m in
        var i = 0
        while i < p.count {
          for j in 0..<featureCount { m[j] += Double(p[i + j]) }
          i += featureCount
        }
        for j in 0..<featureCount { m[j] /= Double(rows) }
        variance.withUnsafeMutableBufferPointer { v in
          i = 0
          while i < p.count {
            for j in 0..<featureCount { let d = Double(p[i + j]) - m[j]; v[j] += d * d }
            i += featureCount
          }
        }
      }
    }
    return (mean, variance.map { ($0 / Double(rows)).squareRoot() })
  }
}
