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
/// A fused C kernel that never materializes the M×K matrix of inner
/// products (DESIGN.md §4). With AVX512-VNNI it screens the codewords with
/// exact int8 products and a rigorous error bound, then re-ranks the few
/// survivors in float: the answer is bit-identical to the float search
/// (same index, first on ties; same float dot). Without VNNI it runs the
/// float AVX-512/AVX2 kernels, or portable C.
public struct NearestCodewords: Sendable {
  public let codebook: Codebook
  /// The prepared codebook (transposed, quantized), built on the first search.
  let plan: NearestPlan

  public init(_ codebook: Codebook) {
    self.codebook = codebook
    plan = NearestPlan(codebook)
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
    indices.withUnsafeMutableBufferPointer { idx in
      dots.withUnsafeMutableBufferPointer { dot in
        search(v, layout: layout, indices: idx.baseAddress!, dots: dot.baseAddress!)
      }
    }
    return (indices, dots)
  }

  /// Writes the codeword index and signed inner product of every sub-vector of `v` into `indices` and `dots`
  /// (room for `layout.count` each).
  public func search(
    _ v: UnsafeBufferPointer<Float>, layout: SubvectorLayout,
    indices: UnsafeMutablePointer<Int32>, dots: UnsafeMutablePointer<Float>
  ) {
    let dim = layout.dim, k = codebook.count
    let plan = self.plan.pointer
    layout.forEachBlock(v) { block, first in
      let rows = block.count / dim
      let chunks = Self.chunkCount(rows: rows, work: dim * k)
      let task = SearchTask(plan: plan, v: block.baseAddress!, idx: indices + first, dot: dots + first)
      let run: @Sendable (Int) -> Void = { c in
        let lo = rows * c / chunks, hi = rows * (c + 1) / chunks
        hsq_nearest_plan_search(task.plan, task.v + lo * dim, Int64(hi - lo), task.idx + lo, task.dot + lo)
      }
      if chunks == 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: chunks, execute: run) }
    }
  }

  /// One chunk per core once a chunk has at least ~16 M multiply-adds (a few hundred µs of the
  /// float kernel, a few tens with the int8 screen); one otherwise, so a layer searched from
  /// already-parallel workers is not split again.
  static func chunkCount(rows: Int, work perRow: Int) -> Int {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    return max(1, min(cores, rows * perRow / (1 << 24)))
  }

  /// Writes Σₘ uₘ·c_{kₘ} into `out` (length d; the padding of the last sub-vector is dropped).
  public func reconstruct(indices: [Int32], scalars: [Float], layout: SubvectorLayout, into out: inout [Float]) {
    precondition(indices.count == scalars.count && indices.count == layout.count, "one index and one scalar per sub-vector")
    precondition(out.count >= layout.length, "the output is shorter than the layout")
    guard layout.length > 0 else { return }
    let k = Int32(codebook.count)
    precondition(indices.allSatisfy { $0 >= 0 && $0 < k }, "a codeword index is out of range")
    indices.withUnsafeBufferPointer { idx in
      scalars.withUnsafeBufferPointer { u in
        codebook.vectors.withUnsafeBufferPointer { c in
          out.withUnsafeMutableBufferPointer { o in
            hsq_reconstruct(
              idx.baseAddress, u.baseAddress, Int64(idx.count), c.baseAddress, Int32(layout.dim), Int64(layout.length),
              o.baseAddress)
          }
        }
      }
    }
  }
}

/// The raw pointers one search hands to its worker threads; each thread writes its own row range.
private struct SearchTask: @unchecked Sendable {
  let plan: OpaquePointer
  let v: UnsafePointer<Float>
  let idx: UnsafeMutablePointer<Int32>
  let dot: UnsafeMutablePointer<Float>
}

/// Owns the C plan of a codebook (`hsq_nearest_plan`): built once, read-only afterwards,
/// so any number of threads may search with it at once.
final class NearestPlan: @unchecked Sendable {
  let pointer: OpaquePointer

  init(_ codebook: Codebook) {
    let plan = codebook.vectors.withUnsafeBufferPointer {
      hsq_nearest_plan_create($0.baseAddress!, Int32(codebook.count), Int32(codebook.dim))
    }
    guard let plan else { fatalError("out of memory preparing a \(codebook.count)×\(codebook.dim) codebook") }
    pointer = plan
  }

  deinit { hsq_nearest_plan_destroy(pointer) }

  /// True when searches use the exact int8 screen (AVX512-VNNI present, codebook suitable).
  var usesInt8: Bool { hsq_nearest_plan_uses_int8(pointer) != 0 }
}
