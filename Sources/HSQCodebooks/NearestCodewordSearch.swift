import CKernels

/// The fused nearest-codeword search of `CKernels` (`hsq_nearest_codewords`), for Swift arrays.
///
/// ```
/// index_m = argmax_k |⟨c_k, v_m⟩|   (first index on ties),   dot_m = ⟨c_{index_m}, v_m⟩
/// ```
///
/// The codebook is passed transposed (D×K, row-major), the layout the AVX2
/// kernel reads eight codewords at a time from. The M×K product is never
/// materialized.
enum NearestCodewordSearch {
  /// The nearest codeword and its signed inner product for each of the `count` rows of `vectors`.
  ///
  /// - Parameters:
  ///   - vectors: `count` rows of `dim` values, row-major.
  ///   - transposedCodebook: the codebook as D×K row-major (``Codebook/transposed``).
  static func search(
    _ vectors: [Float], count: Int, dim: Int, transposedCodebook: [Float], codewords: Int
  ) -> (index: [Int32], dot: [Float]) {
    precondition(vectors.count == count * dim, "the vectors are not \(count)×\(dim)")
    precondition(transposedCodebook.count == dim * codewords, "the codebook is not \(dim)×\(codewords)")
    var index = [Int32](repeating: 0, count: count)
    var dot = [Float](repeating: 0, count: count)
    guard count > 0 else { return (index, dot) }
    vectors.withUnsafeBufferPointer { v in
      transposedCodebook.withUnsafeBufferPointer { ct in
        index.withUnsafeMutableBufferPointer { idx in
          dot.withUnsafeMutableBufferPointer { dt in
            hsq_nearest_codewords(
              v.baseAddress, Int64(count), Int32(dim), ct.baseAddress, Int32(codewords),
              idx.baseAddress, dt.baseAddress)
          }
        }
      }
    }
    return (index, dot)
  }
}
