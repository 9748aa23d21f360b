import CKernels
import Dispatch
import Foundation
import HSQCodebooks
import HSQCore
import Testing

@testable import HSQCompressors

/// The prepared nearest-codeword search (`hsq_nearest_plan_search`: an exact int8 screen with float
/// re-ranking where the CPU has AVX512-VNNI) must give the portable float search's answer bit for bit:
/// the same index (the first on ties) and the same float dot, on every row, whatever the codebook.
///
/// The reference asks for the portable kernel per call (`HSQ_KERNELS_PORTABLE`): no process-wide switch,
/// so these tests run in parallel with everything else.
@Suite struct NearestPlanTests {
  /// Whether this CPU can run the int8 screen (Linux: from /proc/cpuinfo; elsewhere unknown, so false).
  static let cpuHasScreen: Bool = {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return false }
    let set = Set(flags.split(separator: " ").map(String.init))
    return ["avx512f", "avx512bw", "avx512_vnni", "avx512_vbmi2", "fma", "bmi1", "popcnt"].allSatisfy(set.contains)
  }()

  /// The portable float search of `rows` (M×D) against the K×D codebook `c`.
  static func reference(_ c: [Float], k: Int, d: Int, rows: [Float]) -> (index: [Int32], dot: [Float]) {
    let m = rows.count / d
    var ct = [Float](repeating: 0, count: k * d)
    for i in 0..<k { for j in 0..<d { ct[j * k + i] = c[i * d + j] } }
    var index = [Int32](repeating: -1, count: m), dot = [Float](repeating: .nan, count: m)
    rows.withUnsafeBufferPointer { v in
      hsq_nearest_codewords(v.baseAddress, Int64(m), Int32(d), ct, Int32(k), &index, &dot, HSQ_KERNELS_PORTABLE)
    }
    return (index, dot)
  }

  /// Searches `rows` with a plan of `c` and expects the portable answer, bit for bit. Returns whether the plan
  /// used the int8 screen.
  @discardableResult
  static func expectSame(
    _ c: [Float], k: Int, d: Int, rows: [Float], _ label: String, level: hsq_kernel_level = HSQ_KERNELS_AUTO
  ) -> Bool {
    let m = rows.count / d
    let plan = c.withUnsafeBufferPointer { hsq_nearest_plan_create($0.baseAddress, Int32(k), Int32(d), level) }
    guard let plan else {
      Issue.record("\(label): no plan for K=\(k) D=\(d)")
      return false
    }
    defer { hsq_nearest_plan_destroy(plan) }
    let ref = reference(c, k: k, d: d, rows: rows)
    var index = [Int32](repeating: -7, count: m), dot = [Float](repeating: 12345, count: m)
    rows.withUnsafeBufferPointer { v in hsq_nearest_plan_search(plan, v.baseAddress, Int64(m), &index, &dot) }
    let bad = (0..<m).filter { index[$0] != ref.index[$0] || dot[$0].bitPattern != ref.dot[$0].bitPattern }
    #expect(
      bad.isEmpty,
      "\(label) level \(level.rawValue) K=\(k) D=\(d) M=\(m): \(bad.count) rows differ, first \(bad.first.map { "row \($0): (\(index[$0]), \(dot[$0])) vs (\(ref.index[$0]), \(ref.dot[$0]))" } ?? "")")
    return hsq_nearest_plan_uses_int8(plan) != 0
  }

  static func gaussian(_ n: Int, _ rng: inout RandomStream) -> [Float] { (0..<n).map { _ in Float(rng.gaussian()) } }

  /// K unit-norm Gaussian codewords, with exact ties planted when K ≥ 4: codeword K−1 repeats codeword 0 and
  /// codeword K/2 is the negation of codeword 1.
  static func codebook(k: Int, d: Int, _ rng: inout RandomStream) -> [Float] {
    var c = gaussian(k * d, &rng)
    for r in 0..<k {
      let n = (0..<d).reduce(0.0) { $0 + Double(c[r * d + $1]) * Double(c[r * d + $1]) }.squareRoot()
      if n > 0 { for j in 0..<d { c[r * d + j] = Float(Double(c[r * d + j]) / n) } }
    }
    if k >= 4 {
      for j in 0..<d {
        c[(k - 1) * d + j] = c[j]
        c[(k / 2) * d + j] = -c[d + j]
      }
    }
    return c
  }

  /// M rows cycling through the awkward kinds: zeros, −0, codewords and their multiples (exact ties with the
  /// planted duplicates), near-codewords, sums and differences of codewords, tiny, subnormal, huge and mixed
  /// magnitudes, the ends of the screened range, NaN, ±inf, axis vectors, small integers, Gaussian.
  static func adversarialRows(_ c: [Float], k: Int, d: Int, m: Int, _ rng: inout RandomStream) -> [Float] {
    var v = [Float]()
    v.reserveCapacity(m * d)
    for r in 0..<m {
      var row = gaussian(d, &rng)
      let a = rng.int(below: k), b = rng.int(below: k)
      let ca = Array(c[(a * d)..<((a + 1) * d)]), cb = Array(c[(b * d)..<((b + 1) * d)])
      switch r % 20 {
      case 0: row = [Float](repeating: 0, count: d)
      case 1: row = [Float](repeating: -0.0, count: d)
      case 2: row = ca
      case 3: row = ca.map { -3 * $0 }
      case 4: row = (0..<d).map { ca[$0] + 1e-6 * row[$0] }
      case 5: row = (0..<d).map { ca[$0] + cb[$0] }
      case 6: row = (0..<d).map { ca[$0] - cb[$0] }
      case 7: row = row.map { $0 * 1e-30 }
      case 8: row = row.map { $0 * 1e-40 }  // subnormal
      case 9: row = row.map { $0 * 1e30 }
      case 10: row = (0..<d).map { row[$0] * ($0 % 2 == 0 ? 1e20 : 1e-20) }
      case 11: row[rng.int(below: d)] = .nan
      case 12: row[rng.int(below: d)] = r % 40 < 20 ? .infinity : -.infinity
      case 13: row = (0..<d).map { $0 == r % d ? 1 : 0 }
      case 14: row = row.map { _ in Float(rng.int(below: 5) - 2) }
      case 15: row = row.map { $0 * 0x1p-50 * Float(1 + rng.uniformDouble()) }
      case 16: row = row.map { $0 * 0x1p49 }
      case 17:  // a near tie between two codewords, scaled
        let t = Float(rng.uniformDouble() * 1e-6), s = Float(1 + rng.uniformDouble() * 1000)
        row = (0..<d).map { (ca[$0] + (1 + t) * cb[$0]) * s }
      default: break
      }
      v += row
    }
    return v
  }

  @Test("Gaussian rows against Gaussian and k-means codebooks, K = 256, D = 16, a 100352-value layer")
  func layerSized() throws {
    var rng = RandomStream(seed: 1)
    let rows = Self.gaussian(6272 * 16 + 3 * 16, &rng)
    for spec in ["gaussian:dim=16,k=256,seed=3", "kmeans:dim=16,k=256,seed=0"] {
      let book = try Codebooks.make(spec)
      let usedInt8 = Self.expectSame(book.vectors, k: 256, d: 16, rows: rows, spec)
      Self.expectSame(book.vectors, k: 256, d: 16, rows: rows.map { $0 * 1e-3 }, "\(spec), gradient scale")
      #expect(usedInt8 == Self.cpuHasScreen, "\(spec): the int8 screen ran \(usedInt8), the CPU has it \(Self.cpuHasScreen)")
    }
  }

  @Test("row counts: none, fewer than a group, group tails", arguments: [0, 1, 5, 15, 16, 17, 31, 32, 33, 100, 6275])
  func rowCounts(m: Int) {
    var rng = RandomStream(seed: UInt64(10 + m))
    let c = Self.codebook(k: 256, d: 16, &rng)
    Self.expectSame(c, k: 256, d: 16, rows: Self.gaussian(m * 16, &rng), "gaussian rows")
    Self.expectSame(c, k: 256, d: 16, rows: Self.adversarialRows(c, k: 256, d: 16, m: m, &rng), "adversarial rows")
  }

  @Test("every K (tails of 16 and 64) and D (tails of 4), adversarial rows", arguments: [1, 3, 4, 5, 8, 13, 16])
  func shapes(d: Int) {
    var rng = RandomStream(seed: UInt64(100 + d))
    for k in [1, 7, 16, 17, 63, 64, 65, 100, 255, 256, 257] {
      let c = Self.codebook(k: k, d: d, &rng)
      for m in [5, 70, 333] {
        Self.expectSame(c, k: k, d: d, rows: Self.adversarialRows(c, k: k, d: d, m: m, &rng), "m=\(m)")
      }
    }
  }

  @Test("codebooks with many ties, ± pairs, repeated axes, tiny, subnormal, huge and non-finite entries")
  func awkwardCodebooks() {
    var rng = RandomStream(seed: 7)
    for (k, d) in [(16, 4), (100, 8), (256, 16), (200, 13)] {
      let base = Self.gaussian(d, &rng)
      let ternary = (0..<(k * d)).map { _ in Float(rng.int(below: 3) - 1) }
      let identical = (0..<(k * d)).map { base[$0 % d] }
      let plusMinus = (0..<(k * d)).map { ($0 / d) % 2 == 0 ? base[$0 % d] : -base[$0 % d] }
      let nearDuplicates = (0..<(k * d)).map { base[$0 % d] * (1 + 1e-7 * Float(($0 / d) % 3)) }
      let axes = (0..<(k * d)).map { i -> Float in i % d == (i / d) % d ? ((i / d / d) % 2 == 0 ? 1 : -1) : 0 }
      var mixed = Self.gaussian(k * d, &rng).enumerated().map { $0.offset % 5 == 0 ? $0.element * 1e-30 : $0.element }
      for j in 0..<d { mixed[j] = 0 }
      let tiny = Self.gaussian(k * d, &rng).map { $0 * 1e-20 }
      let subnormal = Self.gaussian(k * d, &rng).map { $0 * 1e-42 }
      let huge = Self.gaussian(k * d, &rng).map { $0 * 1e30 }
      var withNaN = Self.gaussian(k * d, &rng)
      withNaN[rng.int(below: k * d)] = .nan
      let books = [
        ("ternary", ternary), ("identical", identical), ("plus-minus", plusMinus), ("near duplicates", nearDuplicates),
        ("axes", axes), ("mixed", mixed), ("tiny", tiny), ("subnormal", subnormal), ("huge", huge), ("NaN", withNaN),
      ]
      for (label, c) in books {
        Self.expectSame(c, k: k, d: d, rows: Self.adversarialRows(c, k: k, d: d, m: 201, &rng), label)
      }
    }
  }

  @Test("many threads searching one plan at once agree with one call")
  func concurrentSearches() {
    var rng = RandomStream(seed: 5)
    let k = 256, d = 16, m = 8 * 1000
    let c = Self.codebook(k: k, d: d, &rng)
    let rows = Self.adversarialRows(c, k: k, d: d, m: m, &rng)
    let plan = c.withUnsafeBufferPointer { hsq_nearest_plan_create($0.baseAddress, Int32(k), Int32(d), HSQ_KERNELS_AUTO) }!
    defer { hsq_nearest_plan_destroy(plan) }
    let ref = Self.reference(c, k: k, d: d, rows: rows)
    var index = [Int32](repeating: -7, count: m), dot = [Float](repeating: 12345, count: m)
    rows.withUnsafeBufferPointer { v in
      index.withUnsafeMutableBufferPointer { idx in
        dot.withUnsafeMutableBufferPointer { dt in
          let task = Chunks(plan: plan, v: v.baseAddress!, idx: idx.baseAddress!, dot: dt.baseAddress!)
          DispatchQueue.concurrentPerform(iterations: 8) { c in
            let lo = m * c / 8, hi = m * (c + 1) / 8
            for _ in 0..<4 {
              hsq_nearest_plan_search(task.plan, task.v + lo * d, Int64(hi - lo), task.idx + lo, task.dot + lo)
            }
          }
        }
      }
    }
    #expect(index == ref.index)
    #expect(dot.map(\.bitPattern) == ref.dot.map(\.bitPattern))
  }

  @Test("NearestCodewords searches through the plan; the portable level turns the screen off")
  func nearestCodewordsUsesThePlan() throws {
    let book = try Codebooks.make("kmeans:dim=16,k=256,seed=0")
    let search = NearestCodewords(book)
    let portable = NearestCodewords(book, level: HSQ_KERNELS_PORTABLE)
    #expect(search.plan.usesInt8 == Self.cpuHasScreen)
    #expect(!portable.plan.usesInt8)
    var rng = RandomStream(seed: 9)
    for length in [1, 15, 16, 17, 1000, 100_352] {
      let v = Self.gaussian(length, &rng).map { $0 * 1e-2 }
      let layout = SubvectorLayout(length: length, dim: 16)
      let fast = v.withUnsafeBufferPointer { search.search($0, layout: layout) }
      let slow = v.withUnsafeBufferPointer { portable.search($0, layout: layout) }
      #expect(fast.indices == slow.indices, "length \(length)")
      #expect(fast.dots.map(\.bitPattern) == slow.dots.map(\.bitPattern), "length \(length)")
    }
  }
}

/// The pointers the concurrent test hands to its worker threads (each call writes its own rows).
private struct Chunks: @unchecked Sendable {
  let plan: OpaquePointer
  let v: UnsafePointer<Float>
  let idx: UnsafeMutablePointer<Int32>
  let dot: UnsafeMutablePointer<Float>
}
