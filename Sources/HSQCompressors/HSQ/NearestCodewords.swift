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
/// A fused, tiled SIMD kernel (AVX2+FMA when the CPU has it) that never
/// materializes the M×K matrix of inner products (DESIGN.md §4).
public struct NearestCodewords: Sendable {
  public let codebook: Codebook
  /// The codebook transposed, D×K, as the kernel reads it.
  let transposed: [Float]

  public init(_ codebook: Codebook) {
    self.codebook = codebook
    transposed = codebook.transposed
  }

  /// Codeword indices and signed inner products for every sub-vector of `v`.
  ///
  /// Large inputs are split across the cores in fixed row ranges; every row's
  /// answer is computed the same way whatever the split, so results do not
  /// depend on the thread count.
  public func search(_ v: UnsafeBufferPointer<Float>, layout: SubvectorLayout) -> (indices: [Int32], dots: [Float]) {
    let m = layout.count
    var indices = [Int32](repeating: 0, count: m)
    var dots = [Float](repeating: 0, count: m)
    let dim = layout.dim, k = codebook.count
    indices.withUnsafeMutableBufferPointer { idx in
      dots.withUnsafeMutableBufferPointer { dot in
        transposed.withUnsafeBufferPointer { ct in
          layout.forEachBlock(v) { block, first in
            let rows = block.count / dim
            let chunks = Self.chunkCount(rows: rows, work: dim * k)
            let task = SearchTask(v: block.baseAddress!, ct: ct.baseAddress!, idx: idx.baseAddress! + first, dot: dot.baseAddress! + first)
            let run: @Sendable (Int) -> Void = { c in
              let lo = rows * c / chunks, hi = rows * (c + 1) / chunks
              hsq_nearest_codewords(task.v + lo * dim, Int64(hi - lo), Int32(dim), task.ct, Int32(k), task.idx + lo, task.dot + lo)
            }
            if chunks == 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: chunks, execute: run) }
          }
        }
      }
    }
    return (indices, dots)
  }

  /// One chunk per core once a chunk has at least ~4 M multiply-adds; one otherwise.
  static func chunkCount(rows: Int, work perRow: Int) -> Int {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    return max(1, min(cores, rows * perRow / (1 << 22)))
  }

  /// Writes Σₘ uₘ·c_{kₘ} into `out` (length d; the padding of the last sub-vector is dropped).
  public func reconstruct(indices: [Int32], scalars: [Float], layout: SubvectorLayout, into out: inout [Float]) {
    let dim = layout.dim
    codebook.vectors.withUnsafeBufferPointer { c in
      out.withUnsafeMutableBufferPointer { o in
        for m in 0..<indices.count {
          let base = m * dim
          let width = min(dim, layout.length - base)
          let row = Int(indices[m]) * dim
          let u = scalars[m]
          for j in 0..<width { o[base + j] = u * c[row + j] }
        }
      }
    }
  }
}

/// The raw pointers one search hands to its worker threads; each thread writes its own row range.
private struct SearchTask: @unchecked Sendable {
  let v: UnsafePointer<Float>
  let ct: UnsafePointer<Float>
  let idx: UnsafeMutablePointer<Int32>
  let dot: UnsafeMutablePointer<Float>
}
