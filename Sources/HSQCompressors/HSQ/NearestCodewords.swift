import CKernels
import Dispatch
import Foundation
import HSQCodebooks
import HSQCore

/// The nearest codeword of every sub-vector, by absolute inner product.
///
/// ```
/// kₘ = argmaxₖ |⟨cₖ, vₘ⟩|,   uₘ = ⟨c_{kₘ}, vₘ⟩
/// ```
///
/// A fused, tiled SIMD kernel that never materializes the M×K matrix of inner
/// products (DESIGN.md §4): on CPUs with AVX512-VNNI an exact int8 screen with
/// float re-ranking (`hsq_nearest_plan_search`), else the AVX-512/AVX2 float
/// kernels. Every path gives the portable float search's answer bit for bit.
public struct NearestCodewords: Sendable {
  public let codebook: Codebook
  /// The codebook prepared once for the C search (int8 form, transpose, error bounds).
  let plan: NearestCodewordPlan

  public init(_ codebook: Codebook) {
    self.init(codebook, level: HSQ_KERNELS_AUTO)
  }

  /// A search that uses at most the kernels of `level` (tests compare the levels with each other).
  init(_ codebook: Codebook, level: hsq_kernel_level) {
    self.codebook = codebook
    plan = NearestCodewordPlan(codebook, level: level)
  }

  /// Codeword indices and signed inner products for every sub-vector of `v`.
  ///
  /// Large inputs are split across the cores in fixed row ranges; every row's
  /// answer is computed the same way whatever the split, so results do not
  /// depend on the thread count.
  public func search(_ v: UnsafeBufferPointer<Float>, layout: SubvectorLayout) -> (indices: [Int32], dots: [Float]) {
    let m = layout.count
    let dim = layout.dim, k = codebook.count
    // Every row is searched (the layout's blocks cover the M sub-vectors, the chunks each block's rows), so both
    // arrays are written in full.
    var dots: [Float] = []
    let indices = [Int32](unsafeUninitializedCapacity: m) { idx, written in
      dots = [Float](unsafeUninitializedCapacity: m) { dot, dotsWritten in
        withExtendedLifetime(plan) {
          layout.forEachBlock(v) { block, first in
            let rows = block.count / dim
            let chunks = Self.chunkCount(rows: rows, work: dim * k)
            let task = SearchTask(v: block.baseAddress!, plan: plan.pointer, idx: idx.baseAddress! + first, dot: dot.baseAddress! + first)
            let run: @Sendable (Int) -> Void = { c in
              let lo = rows * c / chunks, hi = rows * (c + 1) / chunks
              hsq_nearest_plan_search(task.plan, task.v + lo * dim, Int64(hi - lo), task.idx + lo, task.dot + lo)
            }
            if chunks == 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: chunks, execute: run) }
          }
        }
        dotsWritten = m
      }
      written = m
    }
    return (indices, dots)
  }

  /// One chunk per core once a chunk has at least ~4 M multiply-adds; one otherwise,
  /// and one on a thread that already runs a share of parallel work (an experiment's worker).
  static func chunkCount(rows: Int, work perRow: Int) -> Int {
    if ParallelRegion.isActive { return 1 }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    return max(1, min(cores, rows * perRow / (1 << 22)))
  }

  /// Writes Σₘ uₘ·c_{kₘ} into `out` (length d; the padding of the last sub-vector is dropped), for any codebook,
  /// without preparing a search.
  ///
  /// Writes every entry of `out`. Sub-vectors of 16 (the usual D) are scaled
  /// sixteen lanes at a time; each entry is the same single product uₘ·c either way.
  public static func reconstruct(codebook: Codebook, indices: [Int32], scalars: [Float], layout: SubvectorLayout, into out: inout [Float]) {
    reconstruct(codebook: codebook.vectors, dim: codebook.dim, indices: indices, scalars: scalars, layout: layout, into: &out)
  }

  /// ``reconstruct(codebook:indices:scalars:layout:into:)`` from the codebook's K×D values.
  static func reconstruct(codebook vectors: [Float], dim codebookDim: Int, indices: [Int32], scalars: [Float], layout: SubvectorLayout, into out: inout [Float]) {
    let dim = layout.dim
    precondition(dim == codebookDim && out.count == layout.length && indices.count == layout.count && scalars.count == layout.count)
    vectors.withUnsafeBufferPointer { c in
      out.withUnsafeMutableBufferPointer { o in
        var m = 0
        if dim == 16 {
          let full = layout.length / 16
          let done = indices.withUnsafeBufferPointer { k in
            scalars.withUnsafeBufferPointer { u in
              full > 0 && hsq_scale_rows16(c.baseAddress!, k.baseAddress!, u.baseAddress!, Int64(full), o.baseAddress!) != 0
            }
          }
          if done { m = full }
          while m < full {
            let row = UnsafeRawPointer(c.baseAddress! + Int(indices[m]) * 16).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(o.baseAddress! + m * 16).storeBytes(of: scalars[m] * row, as: SIMD16<Float>.self)
            m += 1
          }
        }
        while m < indices.count {
          let base = m * dim
          let width = min(dim, layout.length - base)
          let row = Int(indices[m]) * dim
          let u = scalars[m]
          for j in 0..<width { o[base + j] = u * c[row + j] }
          m += 1
        }
      }
    }
  }
}

/// The raw pointers one search hands to its worker threads; each thread writes its own row range.
///
/// `@unchecked Sendable` because raw pointers cannot be `Sendable`; safe because the task lives only
/// inside ``NearestCodewords/search(_:layout:)``, whose buffers outlive the synchronous
/// `concurrentPerform`, the plan is read-only, and chunk `c` writes only rows `lo..<hi` of `idx`/`dot`.
private struct SearchTask: @unchecked Sendable {
  let v: UnsafePointer<Float>
  let plan: OpaquePointer
  let idx: UnsafeMutablePointer<Int32>
  let dot: UnsafeMutablePointer<Float>
}
