import Foundation
import HSQCore
import Synchronization

/// ω₂(C), the worst-case normalized variance of unbiased HSQ with pseudo-inverse coefficients: bounds and exact value.
///
/// ```
/// ω₂(C) = max_{‖v‖=1} ‖C⁺v‖₁² − 1 = max_{s ∈ {±1}^K} ‖(C⁺)ᵀ s‖² − 1 = max_s sᵀ G s − 1,   G = C⁺C⁺ᵀ
/// upper:  K/σ_min(C)² − 1   and   Σ_ij |G_ij| − 1
/// exact:  all 2^(K−1) sign vectors (s and −s give the same value), in Gray-code order
/// lower:  alternating ascent s ← sign(C⁺v), v ← (C⁺)ᵀs/‖·‖, then single sign flips while they help
/// ```
///
/// THEORY.md §2. The rows `r_j` of `A = C⁺` (K×D) are what is summed:
/// `(C⁺)ᵀ s = Σ_j s_j r_j`. Gray-code order flips one sign per step, so each
/// of the 2^(K−1) candidates costs O(D) (update the sum, take its norm).
enum WorstCaseVariance {
  /// The largest K enumerated exactly (2^29 sign vectors).
  static let exactLimit = 30

  /// Σ_ij |(AAᵀ)_ij| − 1 for the K×D matrix `a` (without storing the K×K matrix).
  static func gramBound(_ a: Matrix) throws -> Double {
    let k = a.rows, d = a.columns
    var total = 0.0
    try a.storage.withUnsafeBufferPointer { p in
      for i in 0..<k {
        if i & 63 == 0 { try Cancellation.checkCurrent() }
        let ri = p.baseAddress! + i * d
        var s = 0.0
        for j in 0..<d { s += ri[j] * ri[j] }
        total += s
        for l in (i + 1)..<Swift.max(k, i + 1) {
          let rl = p.baseAddress! + l * d
          var g = 0.0
          for j in 0..<d { g += ri[j] * rl[j] }
          total += 2 * Swift.abs(g)
        }
      }
    }
    return total - 1
  }

  /// max_s ‖Σ_j s_j r_j‖² − 1 over all sign vectors, by Gray-code enumeration; K = rows of `a` ≤ ``exactLimit``.
  ///
  /// The 2^(K−1) candidates are cut into a fixed number of chunks that run
  /// concurrently; each chunk starts from a freshly computed sum, so the
  /// result does not depend on the number of threads. The current ``Cancellation`` is
  /// handed to the chunks, which check it every 2^16 candidates.
  static func exact(_ a: Matrix) throws -> Double {
    let k = a.rows
    precondition(k >= 1 && k <= exactLimit, "exact ω₂ enumerates 2^(K−1) sign vectors; K = \(k) is outside 1...\(exactLimit)")
    let free = k - 1
    let chunkBits = free >= 20 ? 6 : 0
    let chunks = 1 << chunkBits, perChunk = 1 << (free - chunkBits)
    let best = ChunkResults(count: chunks)
    let cancellation = Cancellation.current
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
      let value = enumerate(a, from: c * perChunk, count: perChunk, cancellation: cancellation)
      best.slots.withLock { $0[c] = value }
    }
    try cancellation?.check()
    return best.slots.withLock { $0.max()! } - 1
  }

  /// One result slot per chunk (at most 64 of them, each written once, so the lock costs nothing).
  private final class ChunkResults: Sendable {
    let slots: Mutex<[Double]>
    init(count: Int) { slots = Mutex([Double](repeating: 0, count: count)) }
  }

  /// The largest ‖Σ s_j r_j‖² over Gray codes g(i) = i ^ (i >> 1), i in start..<start+count; bit b of g(i) set means s_{b+1} = −1.
  /// Stops early (with a meaningless result) once `cancellation` is cancelled.
  private static func enumerate(_ a: Matrix, from start: Int, count: Int, cancellation: Cancellation?) -> Double {
    let d = a.columns
    var y = [Double](repeating: 0, count: d)
    let gray = start ^ (start >> 1)
    for j in 0..<a.rows {
      let s: Double = j > 0 && (gray >> (j - 1)) & 1 == 1 ? -1 : 1
      for i in 0..<d { y[i] += s * a[j, i] }
    }
    var best = y.reduce(0) { $0 + $1 * $1 }
    // twice[j·d + i] = 2·r_{j+1}[i]: flipping s_{j+1} adds ±twice_j.
    let twice = (1..<a.rows).flatMap { j in (0..<d).map { 2 * a[j, $0] } }
    y.withUnsafeMutableBufferPointer { py in
      twice.withUnsafeBufferPointer { pt in
        let yv = py.baseAddress!
        for i in (start + 1)..<Swift.max(start + count, start + 1) {
          let bit = i.trailingZeroBitCount
          if bit >= 16, cancellation?.isCancelled == true { break }
          let r = pt.baseAddress! + bit * d
          // The sign of s_{bit+1} after the flip is bit `bit` of the new Gray code.
          let step: Double = ((i ^ (i >> 1)) >> bit) & 1 == 1 ? -1 : 1
          // Four independent partial sums, so the adds do not wait on each other.
          var n0 = 0.0, n1 = 0.0, n2 = 0.0, n3 = 0.0
          var t = 0
          while t + 4 <= d {
            let a = yv[t] + step * r[t], b = yv[t + 1] + step * r[t + 1]
            let c = yv[t + 2] + step * r[t + 2], e = yv[t + 3] + step * r[t + 3]
            yv[t] = a; yv[t + 1] = b; yv[t + 2] = c; yv[t + 3] = e
            n0 += a * a; n1 += b * b; n2 += c * c; n3 += e * e
            t += 4
          }
          while t < d { let a = yv[t] + step * r[t]; yv[t] = a; n0 += a * a; t += 1 }
          let norm = (n0 + n1) + (n2 + n3)
          if norm > best { best = norm }
        }
      }
    }
    return best
  }

  /// A lower bound on ω₂: the best of `restarts` alternating ascents from random sign vectors, each polished by single flips.
  static func ascent(_ a: Matrix, restarts: Int, random: inout RandomStream) throws -> Double {
    let k = a.rows, d = a.columns
    let rowNorms = (0..<k).map { j in (0..<d).reduce(0.0) { $0 + a[j, $1] * a[j, $1] } }
    var best = 0.0
    for _ in 0..<Swift.max(restarts, 1) {
      try Cancellation.checkCurrent()
      var s = (0..<k).map { _ in random.next() & 1 == 0 ? 1.0 : -1.0 }
      var y = a.transposeMultiply(s)
      for _ in 0..<100 {
        try Cancellation.checkCurrent()
        let next = a.multiply(y).map { $0 < 0 ? -1.0 : 1.0 }
        if next == s { break }
        s = next
        y = a.transposeMultiply(s)
      }
      // Single flips: flipping s_j changes ‖y‖² by 4‖r_j‖² − 4 s_j⟨y, r_j⟩.
      var improved = true
      while improved {
        try Cancellation.checkCurrent()
        improved = false
        for j in 0..<k {
          var dot = 0.0
          for i in 0..<d { dot += y[i] * a[j, i] }
          if rowNorms[j] - s[j] * dot > 1e-12 * Swift.max(rowNorms[j], Swift.abs(dot)) {
            s[j] = -s[j]
            for i in 0..<d { y[i] += 2 * s[j] * a[j, i] }
            improved = true
          }
        }
      }
      best = Swift.max(best, y.reduce(0) { $0 + $1 * $1 })
    }
    return best - 1
  }
}

extension Codebook {
  /// The largest K for which ``exactOmega2(limit:)`` runs by default: 2^19 sign vectors, milliseconds,
  /// so compressors can declare the exact value when they are built (the `codebook` report enumerates up to K = 30).
  public static let exactOmega2Limit = 20

  /// ω₂(C) = max over unit v of ‖C⁺v‖₁² − 1, exactly, by enumerating the 2^(K−1) sign vectors (THEORY.md §2).
  ///
  /// - Parameter limit: the largest K enumerated (at most 30).
  /// - Returns: `nil` when K exceeds `limit` or the codewords do not span R^D (then ω₂ is infinite).
  public func exactOmega2(limit: Int = exactOmega2Limit) throws -> Double? {
    let c = matrix
    guard count <= Swift.min(limit, WorstCaseVariance.exactLimit), count >= dim, c.numericalRank() == dim else { return nil }
    return try WorstCaseVariance.exact(c.pseudoInverse())
  }
}
