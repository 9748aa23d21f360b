import COpenBLAS

/// The OpenBLAS calls the models make, always on one OpenBLAS thread.
///
/// Dense products are row-major `cblas_sgemm`. **Invariant: every BLAS call
/// hsq makes runs on one OpenBLAS thread, and nothing can change that.**
/// OpenBLAS results are reproducible for a fixed thread count but can change
/// in the last bits with it (measured: 1 vs 2 threads), and its thread count is
/// a process-wide setting (`openblas_set_num_threads`; the installed 0.3.21 has
/// no per-call `openblas_set_num_threads_local`). A settable count would be a
/// process-wide switch: one experiment, test or notebook changing it would
/// change the bits of every other one running in the process. So the count is
/// fixed at 1 before the first product (when the first ``Workspace`` is made,
/// whatever `OPENBLAS_NUM_THREADS` says) and there is no setter; an
/// experiment's results then depend on its seed alone, whatever its `threads`.
///
/// Parallelism comes from running workers concurrently, one per core.
/// Measured on this 2-core machine (MLP 784-128-10, batch 32, release):
/// 114 µs per step with one OpenBLAS thread, 141 µs with two; two concurrent
/// workers 60 µs per step with one thread each, 4.8 ms with two
/// (oversubscription).
///
/// OpenBLAS picks its kernels from the CPU, or from `OPENBLAS_CORETYPE`
/// when set; ``coreName`` says which it runs (benchmarks report it).
public enum BLAS {
  /// The number of threads OpenBLAS uses for one call: 1 once a ``Workspace`` exists (see ``BLAS``).
  public static var threadCount: Int { Int(openblas_get_num_threads()) }

  /// The OpenBLAS kernel set in use, e.g. `Haswell` or `SkylakeX`.
  public static var coreName: String { String(cString: hsq_openblas_corename()) }

  /// Lets OpenBLAS choose its kernels from the CPU, ignoring `OPENBLAS_CORETYPE`
  /// and `OPENBLAS_L2_SIZE` (which it unsets, so child processes see neither).
  ///
  /// For benchmarks that run a peer with OpenBLAS's own choice: the same rule
  /// on both sides. Call it before the first BLAS call. Returns false when this
  /// OpenBLAS cannot choose at run time (not a DYNAMIC_ARCH build).
  @discardableResult
  public static func detectKernels() -> Bool {
    hsq_openblas_detect_kernels() != 0
  }

  /// Makes OpenBLAS use the kernel set `coretype` (e.g. `Haswell`, its AVX2 kernels), as
  /// `OPENBLAS_CORETYPE` does at start-up (which it sets, so child processes see it too).
  ///
  /// For benchmarks of the paths a CPU without AVX-512 takes. Call it before the first BLAS call.
  /// Returns false when this OpenBLAS cannot choose at run time (not a DYNAMIC_ARCH build).
  @discardableResult
  public static func useKernels(_ coretype: String) -> Bool {
    hsq_openblas_select_kernels(coretype) != 0
  }

  /// Runs OpenBLAS on one thread; only the first call does anything (a `static let` is initialized once, thread-safely).
  static func useOneThread() { _ = oneThread }

  private static let oneThread: Void = openblas_set_num_threads(1)

  /// C ← α·op(A)·op(B) + β·C, row-major; op(A) is m×k, op(B) is k×n.
  @inline(__always)
  static func gemm(
    transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// Each of the `rows` rows of C (row-major, `columns` wide) ← itself + `row`.
  @inline(__always)
  static func addToRows(_ row: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
    for r in 0..<rows {
      let target = c + r * columns
      for j in 0..<columns { target[j] += row[j] }
    }
  }

  /// sums ← Σ over the `rows` rows of A (row-major, `columns` wide); `sums` is overwritten.
  @inline(__always)
  static func columnSums(_ a: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
    sums.update(repeating: 0, count: columns)
    for r in 0..<rows {
      let row = a + r * columns
      for j in 0..<columns { sums[j] += row[j] }
    }
  }
}
