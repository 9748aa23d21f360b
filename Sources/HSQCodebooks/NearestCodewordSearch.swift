import CKernels
import HSQCore

/// The fused nearest-codeword search of `CKernels` (`hsq_nearest_plan_search`), for Swift arrays.
///
/// ```
/// index_m = argmax_k |⟨c_k, v_m⟩|   (first index on ties),   dot_m = ⟨c_{index_m}, v_m⟩
/// ```
///
/// The codebook is passed transposed (D×K, row-major), the layout the float
/// kernels read; each call prepares a plan of it (the exact int8 screen where
/// the CPU has AVX512-VNNI, the same answer bit for bit). The M×K product is
/// never materialized. Rows are searched in chunks of about 4 M multiply-adds, with
/// ``Cancellation/checkCurrent()`` between them, so even a K = 65536 search stops on request.
enum NearestCodewordSearch {
  /// Multiply-adds (rows · K · D) per chunk between cancellation checks: a few milliseconds.
  static let chunkWork = 1 << 22

  /// The nearest codeword and its signed inner product for each of the `count` rows of `vectors`.
  ///
  /// - Parameters:
  ///   - vectors: `count` rows of `dim` values, row-major.
  ///   - transposedCodebook: the codebook as D×K row-major (``Codebook/transposed``).
  /// - Throws: ``HSQError/interrupted`` when the current ``Cancellation`` is cancelled.
  static func search(
    _ vectors: [Float], count: Int, dim: Int, transposedCodebook: [Float], codewords: Int
  ) throws -> (index: [Int32], dot: [Float]) {
    precondition(vectors.count == count * dim, "the vectors are not \(count)×\(dim)")
    precondition(transposedCodebook.count == dim * codewords, "the codebook is not \(dim)×\(codewords)")
    precondition(codewords >= 1 && dim >= 1, "the search needs at least one codeword of at least one value")
    var index = [Int32](repeating: 0, count: count)
    var dot = [Float](repeating: 0, count: count)
    guard count > 0 else { return (index, dot) }
    var rows = [Float](repeating: 0, count: codewords * dim) // the plan takes the codebook K×D
    for j in 0..<dim { for k in 0..<codewords { rows[k * dim + j] = transposedCodebook[j * codewords + k] } }
    guard let plan = rows.withUnsafeBufferPointer({ hsq_nearest_plan_create($0.baseAddress, Int32(codewords), Int32(dim), HSQ_KERNELS_AUTO) })
    else { fatalError("out of memory preparing the nearest-codeword search (\(codewords)×\(dim))") }
    defer { hsq_nearest_plan_destroy(plan) }
    let chunk = Swift.max(1, chunkWork / (codewords * dim))
    try vectors.withUnsafeBufferPointer { v in
      try index.withUnsafeMutableBufferPointer { idx in
        try dot.withUnsafeMutableBufferPointer { dt in
          for start in stride(from: 0, to: count, by: chunk) {
            try Cancellation.checkCurrent()
            let rows = Swift.min(chunk, count - start)
            hsq_nearest_plan_search(plan, v.baseAddress! + start * dim, Int64(rows), idx.baseAddress! + start, dt.baseAddress! + start)
          }
        }
      }
    }
    return (index, dot)
  }
}
