import CKernels
import HSQCore

/// A codebook prepared for the fused nearest-codeword search of `CKernels`
/// (`hsq_nearest_plan`): the one owner of that plan in Swift.
///
/// ```
/// index_m = argmax_k |⟨c_k, v_m⟩|   (first index on ties),   dot_m = ⟨c_{index_m}, v_m⟩
/// ```
///
/// The plan holds the codebook in the layouts the kernels read (and the exact
/// int8 screen where the CPU has AVX512-VNNI, the same answer bit for bit); it
/// is built once per codebook and destroyed with the last reference. The M×K
/// product is never materialized. HSQ's compressors keep one per codebook
/// (`NearestCodewords`); codebook construction and quality checks build one per
/// set of centers.
///
/// `@unchecked Sendable` is safe: the plan is built completely in `init` and never
/// changed afterwards, and `hsq_nearest_plan_search` only reads it (documented
/// thread-safe in kernels.h), so any number of threads may search it at once. The
/// class only owns the pointer (which Swift does not let be `Sendable`), so that it
/// is freed exactly once, in `deinit`.
package final class NearestCodewordPlan: @unchecked Sendable {
  /// The C plan, for callers that split one search across threads.
  package let pointer: OpaquePointer
  /// Codewords (K) and values per codeword (D).
  package let count: Int, dim: Int

  /// A plan of `count` codewords of `dim` values given as rows (K×D, row-major),
  /// using at most the kernels of `level` (tests compare the levels with each other).
  package init(rows: [Float], count: Int, dim: Int, level: hsq_kernel_level = HSQ_KERNELS_AUTO) {
    precondition(rows.count == count * dim, "the codebook is not \(count)×\(dim)")
    precondition(count >= 1 && dim >= 1, "the search needs at least one codeword of at least one value")
    guard
      let plan = rows.withUnsafeBufferPointer({ hsq_nearest_plan_create($0.baseAddress, Int32(count), Int32(dim), level) })
    else { fatalError("out of memory preparing the nearest-codeword search (\(count)×\(dim))") }
    pointer = plan
    self.count = count
    self.dim = dim
  }

  /// A plan of `codebook`'s codewords.
  package convenience init(_ codebook: Codebook, level: hsq_kernel_level = HSQ_KERNELS_AUTO) {
    self.init(rows: codebook.vectors, count: codebook.count, dim: codebook.dim, level: level)
  }

  deinit { hsq_nearest_plan_destroy(pointer) }

  /// Whether searches use the exact int8 screen (AVX512-VNNI, at level auto only).
  package var usesInt8: Bool { hsq_nearest_plan_uses_int8(pointer) != 0 }

  /// Multiply-adds (rows · K · D) per chunk between cancellation checks: a few milliseconds.
  static let chunkWork = 1 << 22

  /// The nearest codeword and its signed inner product for each of the `rows` rows of `vectors`, on this thread.
  ///
  /// Rows are searched in chunks of about 4 M multiply-adds, with
  /// ``Cancellation/checkCurrent()`` between them, so even a K = 65536 search stops on request.
  ///
  /// - Parameter vectors: `rows` rows of ``dim`` values, row-major.
  /// - Throws: ``HSQError/interrupted`` when the current ``Cancellation`` is cancelled.
  package func search(_ vectors: [Float], rows: Int) throws -> (index: [Int32], dot: [Float]) {
    precondition(vectors.count == rows * dim, "the vectors are not \(rows)×\(dim)")
    var index = [Int32](repeating: 0, count: rows)
    var dot = [Float](repeating: 0, count: rows)
    guard rows > 0 else { return (index, dot) }
    let chunk = Swift.max(1, Self.chunkWork / (count * dim))
    try vectors.withUnsafeBufferPointer { v in
      try index.withUnsafeMutableBufferPointer { idx in
        try dot.withUnsafeMutableBufferPointer { dt in
          for start in stride(from: 0, to: rows, by: chunk) {
            try Cancellation.checkCurrent()
            let n = Swift.min(chunk, rows - start)
            hsq_nearest_plan_search(pointer, v.baseAddress! + start * dim, Int64(n), idx.baseAddress! + start, dt.baseAddress! + start)
          }
        }
      }
    }
    return (index, dot)
  }
}
