#ifndef HSQ_CKERNELS_H
#define HSQ_CKERNELS_H
#include <stdint.h>

/// Nearest codeword by absolute inner product, fused: never materializes the M×K matrix.
///
/// For each row v_m of V (M×D, row-major) writes idx[m] = argmax_k |<c_k, v_m>|
/// (first index on ties) and dot[m] = <c_{idx[m]}, v_m>. The codebook is given
/// transposed, CT (D×K, row-major), so eight codewords load as one AVX2 vector.
/// Uses AVX2+FMA when the CPU has them (checked at run time), else portable C.
void hsq_nearest_codewords(const float *V, int64_t M, int32_t D,
                           const float *CT, int32_t K,
                           int32_t *idx, float *dot);

/// Forces the portable path (for tests comparing the two); 0 restores dispatch.
void hsq_kernels_force_portable(int force);

/// 1 when the AVX2+FMA path is in use.
int hsq_kernels_use_avx2(void);

/// The search paths, for tests that compare them (``hsq_nearest_plan_search_path``).
enum {
  HSQ_PATH_PORTABLE = 0, /* plain C, the reference */
  HSQ_PATH_AVX2 = 1,     /* float, eight codewords per vector (K ≥ 8) */
  HSQ_PATH_AVX512 = 2,   /* float, sixteen codewords per vector (K ≥ 16) */
  HSQ_PATH_INT8 = 3      /* exact int8 screen (AVX512-VNNI) + float re-ranking */
};

/// A codebook prepared once for repeated searches: its transpose, and for the
/// int8 path the quantized codewords and the screening error constants.
typedef struct hsq_nearest_plan hsq_nearest_plan;

/// Prepares codebook C (K×D, row-major: one codeword per row). NULL when out of memory.
hsq_nearest_plan *hsq_nearest_plan_create(const float *C, int32_t K, int32_t D);

/// Frees a plan (NULL is ignored).
void hsq_nearest_plan_destroy(hsq_nearest_plan *plan);

/// The same answer as hsq_nearest_codewords on the transposed codebook, bit for bit:
/// idx[m] = argmax_k |<c_k, v_m>| (first index on ties), dot[m] = the float dot
/// computed as fmaf accumulated over d in order. Uses the int8 screen when the
/// CPU has AVX512-VNNI (and the codebook allows it), else the float kernels.
/// Safe to call from several threads at once on disjoint outputs.
void hsq_nearest_plan_search(const hsq_nearest_plan *plan, const float *V, int64_t M,
                             int32_t *idx, float *dot);

/// Runs one path regardless of dispatch (tests): 0 on success, -1 when this CPU,
/// codebook or K cannot use it.
int hsq_nearest_plan_search_path(const hsq_nearest_plan *plan, int path, const float *V, int64_t M,
                                 int32_t *idx, float *dot);

/// 1 when hsq_nearest_plan_search uses the int8 screen for this plan.
int hsq_nearest_plan_uses_int8(const hsq_nearest_plan *plan);

/// Vec's Double reductions over the first n & ~15 entries, sixteen at a time:
/// acc[j] += x[i+j]² and acc[8+j] += x[i+8+j]² (widened to double) for each chunk i,
/// the same per-lane operations as the Swift SIMD8<Double> loop (bit-identical on every path).
void hsq_sum_squares_chunks(const float *x, int64_t n, double *acc);

/// As hsq_sum_squares_chunks for (a − b)², the difference taken in double.
void hsq_sum_squared_diffs_chunks(const float *a, const float *b, int64_t n, double *acc);

/// The index of the first NaN or infinite entry of x, or -1.
int64_t hsq_first_nonfinite(const float *x, int64_t n);

/// out[i] = (((0 + scale·x[0][i]) + scale·x[1][i]) + …) for i in [lo, hi): the parameter
/// server's mean of `count` messages in worker order, each step rounded as in scalar code.
void hsq_scaled_sum(const float *const *x, int32_t count, float scale, int64_t lo, int64_t hi, float *out);

/// SGD with heavy-ball momentum on [lo, hi): v ← m·v + (g + λx), x ← x − η·v (no FMA contraction).
void hsq_sgd_momentum(float *x, float *v, const float *g, int64_t lo, int64_t hi, float momentum, float decay,
                      float rate);

/// HSQ payload bodies: M (index, level) pairs of indexBits + levelBits bits from bit `bit`,
/// least significant bit first (BitWriter's packing). The first pair whose index is ≥ K or
/// whose level is above maxLevel, or -1 when all are in range.
int64_t hsq_check_pairs(const uint8_t *bytes, int64_t nbytes, int64_t bit, int32_t indexBits, int32_t levelBits,
                        int64_t M, int32_t K, uint32_t maxLevel);

/// Decodes M checked pairs straight into the reconstruction: u_m = lo + level·Δ (or the float
/// with the level's bits when `exact`), out[mD + j] = u_m·C[k_m·D + j] for the first `length`
/// entries (C is K×D row-major). Same arithmetic as the Swift reference, bit for bit.
void hsq_decode_pairs(const uint8_t *bytes, int64_t nbytes, int64_t bit, int32_t indexBits, int32_t levelBits, int64_t M,
                      int exact, float lo, float delta, const float *C, int32_t D, int64_t length, float *out);

/// out[mD + j] = scalars[m]·C[idx[m]·D + j] for the first `length` entries.
void hsq_reconstruct(const int32_t *idx, const float *scalars, int64_t M, const float *C, int32_t D, int64_t length,
                     float *out);

/// Appends M pairs (first[m] in firstBits, then second[m] in secondBits; widths ≤ 32) after the
/// `*pending` (< 8) bits held in `*accumulator`, LSB first; returns the bytes written to `out`
/// (room for ⌈(8 + M·(firstBits + secondBits))/8⌉ + 8) and leaves fewer than 8 bits pending.
int64_t hsq_pack_pairs(uint8_t *out, uint64_t *accumulator, int32_t *pending, const uint32_t *first, int32_t firstBits,
                       const uint32_t *second, int32_t secondBits, int64_t M);

/// Sequentially consistent counters for work claiming between threads (Swift's Atomic needs newer OSes).
static inline int64_t hsq_atomic_fetch_add(int64_t *p, int64_t v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
static inline int64_t hsq_atomic_load(const int64_t *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }

/// A short pause in a spin loop (PAUSE on x86).
static inline void hsq_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/// In-place unnormalized fast Walsh–Hadamard transform of x (n a power of two).
void hsq_fwht(float *x, int64_t n);

#endif
