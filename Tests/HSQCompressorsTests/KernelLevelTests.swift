import CKernels
import Foundation
import HSQCore
import Testing

@testable import HSQCompressors

/// Every dispatch level of the nearest-codeword search, forced per call, against the portable kernel,
/// bit for bit, for every K from 1 to 300: the AVX2 path is checked on AVX-512 machines too (it runs
/// there only when the level asks for it), and so are the K where a wider kernel hands over to a
/// narrower one (K < 8 portable, 8...15 AVX2, ≥ 16 AVX-512).
@Suite struct KernelLevelTests {
  /// The CPU's flags (Linux: from /proc/cpuinfo; elsewhere none, so every level expects the portable kernel).
  static let cpuFlags: Set<String> = {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return [] }
    return Set(flags.split(separator: " ").map(String.init))
  }()

  static let hasAVX512 = cpuFlags.contains("avx512f")
  static let hasAVX2 = cpuFlags.contains("avx2") && cpuFlags.contains("fma")

  /// The float kernel a level must run for K on this CPU, from the CPU's flags (not from the C dispatch).
  static func expectedKernel(_ level: hsq_kernel_level, k: Int) -> hsq_kernel_level {
    let allowAVX512 = level == HSQ_KERNELS_AUTO || level == HSQ_KERNELS_AVX512
    let allowAVX2 = allowAVX512 || level == HSQ_KERNELS_AVX2
    if allowAVX512, hasAVX512, k >= 16 { return HSQ_KERNELS_AVX512 }
    if allowAVX2, hasAVX2, k >= 8 { return HSQ_KERNELS_AVX2 }
    return HSQ_KERNELS_PORTABLE
  }

  static let levels: [(String, hsq_kernel_level)] = [
    ("auto", HSQ_KERNELS_AUTO), ("avx512", HSQ_KERNELS_AVX512), ("avx2", HSQ_KERNELS_AVX2), ("portable", HSQ_KERNELS_PORTABLE),
  ]

  @Test("each level runs the kernel the CPU and K call for", arguments: levels.map(\.0))
  func dispatch(name: String) {
    let level = Self.levels.first { $0.0 == name }!.1
    for k in 1...300 {
      let ran = hsq_nearest_kernel(level, Int32(k))
      #expect(ran == Self.expectedKernel(level, k: k), "level \(name), K = \(k): ran \(ran.rawValue)")
    }
  }

  /// hsq_nearest_codewords at `level` (plain call, no plan) against the portable reference, K = 1...300.
  @Test("hsq_nearest_codewords at each level equals the portable kernel, K = 1...300", arguments: [1, 5, 16])
  func directCalls(d: Int) {
    var rng = RandomStream(seed: UInt64(300 + d))
    for k in 1...300 {
      let c = NearestPlanTests.codebook(k: k, d: d, &rng)
      let rows = NearestPlanTests.adversarialRows(c, k: k, d: d, m: 41, &rng)
      let m = rows.count / d
      var ct = [Float](repeating: 0, count: k * d)
      for i in 0..<k { for j in 0..<d { ct[j * k + i] = c[i * d + j] } }
      let reference = NearestPlanTests.reference(c, k: k, d: d, rows: rows)
      for (name, level) in Self.levels {
        var index = [Int32](repeating: -7, count: m), dot = [Float](repeating: 12345, count: m)
        rows.withUnsafeBufferPointer { v in
          hsq_nearest_codewords(v.baseAddress, Int64(m), Int32(d), ct, Int32(k), &index, &dot, level)
        }
        let bad = (0..<m).filter { index[$0] != reference.index[$0] || dot[$0].bitPattern != reference.dot[$0].bitPattern }
        #expect(bad.isEmpty, "level \(name) K=\(k) D=\(d): \(bad.count) of \(m) rows differ from the portable kernel")
      }
    }
  }

  /// Plans made at each level (the int8 screen only at auto) against the portable reference, K = 1...300.
  @Test("plans at each level equal the portable kernel, K = 1...300", arguments: [4, 16])
  func plans(d: Int) {
    var rng = RandomStream(seed: UInt64(400 + d))
    for k in 1...300 {
      let c = NearestPlanTests.codebook(k: k, d: d, &rng)
      let rows = NearestPlanTests.adversarialRows(c, k: k, d: d, m: 45, &rng)
      for (name, level) in Self.levels {
        let usedInt8 = NearestPlanTests.expectSame(c, k: k, d: d, rows: rows, "plan at \(name)", level: level)
        #expect(!usedInt8 || level == HSQ_KERNELS_AUTO, "level \(name) K=\(k): only auto may use the int8 screen")
      }
    }
  }
}
