import Foundation
import HSQCore

/// δ(C) = min over unit x of max_k ⟨c_k, x⟩², from above, and mean cos²θ over random directions.
///
/// ```
/// cos²θ(x) = max_k ⟨c_k, x⟩²          (nearest-neighbour HSQ keeps this fraction of ‖x‖²)
/// δ(C)     = min_{‖x‖=1} cos²θ(x) = r(C)²,   r = inradius of conv(±c_k)      (THEORY.md §3)
/// ```
///
/// Every value reported is `cos²θ` evaluated in Double at an actual unit
/// vector, so the minimum found can only overestimate δ. Random directions
/// (normalized Gaussians) are scored in batches by the fused kernel; the
/// lowest, spread at least ~25° apart, are refined by descent on the sphere
/// on the p-norm surrogate `(Σ_k |⟨c_k, x⟩|^p)^{1/p}` (a smoothed max,
/// p = 8 … 512: plain sub-gradient steps zigzag between active codewords),
/// then polished: sets of near-active codewords, signed, are taken as the
/// vertices of one facet of the polytope, the facet's normal is solved for
/// (least squares `S n = 1`), and the walk moves to the best normal while it
/// improves. The minimum sits at a facet normal, so the polish lands on it
/// exactly once the descent has reached that facet's basin; the search is
/// local, so for large D the result is an upper bound, not δ itself.
enum ContractionFactor {
  /// Mean, standard error and minimum of cos²θ over `count` random unit directions, and the `keep` lowest directions (searched with `plan`, built once).
  static func sample(
    _ plan: NearestCodewordPlan, samples count: Int, keep: Int, random: inout RandomStream
  ) throws -> (mean: Double, standardError: Double, lowest: [[Double]]) {
    let batch = 4096, d = plan.dim
    // The lowest `pool` directions are kept; `keep` of them, spread apart, become descent starts.
    let pool = 8 * keep
    var sum = 0.0, sumSquares = 0.0
    var lowest: [(value: Float, x: [Float])] = []
    var done = 0
    while done < count {
      let n = Swift.min(batch, count - done)
      let directions = try KMeansCodebook.uniformSphereSamples(count: n, dim: d, rng: &random)
      let dots = try plan.search(directions, rows: n).dot
      for i in 0..<n {
        let c = dots[i] * dots[i]
        sum += Double(c)
        sumSquares += Double(c) * Double(c)
        if pool > 0, lowest.count < pool || c < lowest[lowest.count - 1].value {
          let entry = (c, Array(directions[(i * d)..<((i + 1) * d)]))
          let at = lowest.firstIndex { $0.value > c } ?? lowest.count
          lowest.insert(entry, at: at)
          if lowest.count > pool { lowest.removeLast() }
        }
      }
      done += n
    }
    let mean = sum / Double(count)
    let variance = count > 1 ? Swift.max(0, (sumSquares - Double(count) * mean * mean) / Double(count - 1)) : 0
    return (mean, (variance / Double(count)).squareRoot(), spreadOut(lowest.map { $0.x.map(Double.init) }, keep: keep))
  }

  /// Up to `keep` of `candidates` (best first), each at least ~25° (up to sign) from those taken before; the rest by rank.
  static func spreadOut(_ candidates: [[Double]], keep: Int) -> [[Double]] {
    var chosen: [[Double]] = [], skipped: [[Double]] = []
    for x in candidates {
      let nx = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
      let near = chosen.contains { y in
        let ny = y.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return Swift.abs(zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }) > 0.9 * nx * ny
      }
      if near { skipped.append(x) } else { chosen.append(x) }
      if chosen.count == keep { return chosen }
    }
    return chosen + skipped.prefix(keep - chosen.count)
  }

  /// cos²θ(x) = max_k ⟨c_k, x/‖x‖⟩² in Double; `rows` is K×D.
  static func value(_ rows: Matrix, _ x: [Double]) -> Double {
    let norm2 = x.reduce(0) { $0 + $1 * $1 }
    guard norm2 > 0 else { return .infinity }
    return rows.multiply(x).reduce(0) { Swift.max($0, $1 * $1) } / norm2
  }

  /// The smallest cos²θ found by descent from `start` followed by the facet polish; `rows` is K×D.
  static func refine(_ rows: Matrix, from start: [Double], iterations: Int) throws -> Double {
    var x = normalized(start)
    var best = value(rows, x)
    let stages = [8, 32, 128, 512]
    for p in stages {
      var step = 0.05
      var fx = surrogate(rows, x, p: p).value
      for _ in 0..<Swift.max(iterations / stages.count, 1) {
        try Cancellation.checkCurrent()
        let g = surrogate(rows, x, p: p).gradient
        let gx = zip(g, x).reduce(0) { $0 + $1.0 * $1.1 }
        let tangent = zip(g, x).map { $0 - gx * $1 }
        let gn = tangent.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if gn <= 1e-15 { break }
        var accepted = false
        while step > 1e-12 {
          let candidate = normalized(zip(x, tangent).map { $0 - step * $1 / gn })
          let fc = surrogate(rows, candidate, p: p).value
          if fc < fx {
            x = candidate
            fx = fc
            step *= 1.5
            accepted = true
            break
          }
          step *= 0.5
        }
        if !accepted { break }
        best = Swift.min(best, value(rows, x))
      }
    }
    return Swift.min(best, try polish(rows, x))
  }

  /// The best cos²θ at the normals of candidate facets near `x`, walking to the best normal while it improves.
  ///
  /// Candidate vertex sets, signed: the codewords within a relative band of
  /// the max, and the D … D+2 largest in absolute inner product.
  static func polish(_ rows: Matrix, _ start: [Double]) throws -> Double {
    var x = start
    var best = value(rows, x)
    for _ in 0..<16 {
      try Cancellation.checkCurrent()
      let products = rows.multiply(x)
      let order = products.indices.sorted { Swift.abs(products[$0]) > Swift.abs(products[$1]) || (Swift.abs(products[$0]) == Swift.abs(products[$1]) && $0 < $1) }
      let top = Swift.abs(products[order[0]])
      guard top > 0 else { return best }
      var candidates = [1e-1, 3e-2, 1e-2, 1e-3, 1e-4, 1e-6].map { band in order.filter { Swift.abs(products[$0]) >= (1 - band) * top } }
      for m in rows.columns...(rows.columns + 2) where m <= order.count { candidates.append(Array(order.prefix(m))) }
      var improved = false
      for active in Set(candidates.map { $0.sorted() }).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
        var s = Matrix(rows: active.count, columns: rows.columns)
        for (r, k) in active.enumerated() {
          let sign: Double = products[k] < 0 ? -1 : 1
          for j in 0..<rows.columns { s[r, j] = sign * rows[k, j] }
        }
        let normal = s.pseudoInverse().multiply([Double](repeating: 1, count: active.count))
        let v = value(rows, normal)
        if v < best * (1 - 1e-12) {
          best = v
          x = normalized(normal)
          improved = true
        }
      }
      if !improved { break }
    }
    return best
  }

  /// The p-norm surrogate (Σ_k |p_k|^p)^{1/p} of the products p = Cx, and the direction of its gradient.
  ///
  /// `p` is a power of two, so the powers are repeated squarings; scaling by the max keeps them in range.
  private static func surrogate(_ rows: Matrix, _ x: [Double], p: Int) -> (value: Double, gradient: [Double]) {
    let products = rows.multiply(x)
    let top = products.reduce(0) { Swift.max($0, Swift.abs($1)) }
    guard top > 0 else { return (0, [Double](repeating: 0, count: x.count)) }
    var total = 0.0
    var weights = [Double](repeating: 0, count: products.count)
    for (k, value) in products.enumerated() {
      let r = Swift.abs(value) / top
      var t = r
      var e = 1
      while e < p { t *= t; e <<= 1 }
      total += t
      // d/dx of |p_k|^p ∝ |p_k|^(p−1) sign(p_k) c_k.
      weights[k] = r > 0 ? (value < 0 ? -t / r : t / r) : 0
    }
    return (top * pow(total, 1 / Double(p)), rows.transposeMultiply(weights))
  }

  private static func normalized(_ x: [Double]) -> [Double] {
    let n = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return n > 0 ? x.map { $0 / n } : x
  }
}
