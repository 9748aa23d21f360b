import CKernels
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
  public func search(_ v: UnsafeBufferPointer<Float>, layout: SubvectorLayout) -> (indices: [Int32], dots: [Float]) {
    let m = layout.count
    var indices = [Int32](repeating: 0, count: m)
    var dots = [Float](repeating: 0, count: m)
    indices.withUnsafeMutableBufferPointer { idx in
      dots.withUnsafeMutableBufferPointer { dot in
        transposed.withUnsafeBufferPointer { ct in
          layout.forEachBlock(v) { block, first in
            let rows = block.count / layout.dim
            hsq_nearest_codewords(
              block.baseAddress, Int64(rows), Int32(layout.dim), ct.baseAddress, Int32(codebook.count),
              idx.baseAddress! + first, dot.baseAddress! + first)
          }
        }
      }
    }
    return (indices, dots)
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
