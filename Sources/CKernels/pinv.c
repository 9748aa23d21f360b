/* Unbiased HSQ's coefficients a = C⁺v and their running ℓ1 sums, sixteen sub-vectors at a time.
 *
 * PseudoInverseCoefficients computes, for one sub-vector v and each codeword k,
 * a_k = (…((+0 + P[k,0]·v_0) + P[k,1]·v_1) … + P[k,D−1]·v_{D−1}) in float (each product and
 * sum rounded separately), then the running sums of |a_k| in double, k = 0, 1, … in order. A
 * sub-vector's operations form one long dependency chain; here sixteen sub-vectors run side
 * by side, one per lane, each lane doing exactly that sequence of IEEE operations, so every a_k
 * and every running sum equals the Swift loop's bit for bit (tested).
 *
 * Eight codewords are in flight at once (eight independent chains of D adds: one chain alone
 * waits on the adder's latency at every step; eight ran 8 % faster than four here), and for D = 16 the sub-vectors' sixteen
 * columns stay in registers. Only the order across codewords changes, never a lane's order.
 * CPUs with AVX2 but not AVX-512 run the same operations eight lanes at a time, and others (aarch64 included) a
 * plain C loop over the lanes that the compiler vectorizes.
 */
#include "kernels.h"
#include "cpu_features.h"
#include "xoshiro.h"
#include <math.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* Swift never fuses a multiply and an add; neither may these loops. */
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__)
__attribute__((target("avx512f"), always_inline))
static inline void pinv_store(__m512 acc, int32_t k, float *a, double *prefix, __m512d *sumLow, __m512d *sumHigh) {
  const __m512i signless = _mm512_set1_epi32(0x7FFFFFFF);
  _mm512_storeu_ps(a + (int64_t)k * 16, acc);
  __m512 magnitude = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(acc), signless));
  *sumLow = _mm512_add_pd(*sumLow, _mm512_cvtps_pd(_mm512_castps512_ps256(magnitude)));
  *sumHigh = _mm512_add_pd(*sumHigh, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(magnitude), 1))));
  _mm512_storeu_pd(prefix + (int64_t)k * 16, *sumLow);
  _mm512_storeu_pd(prefix + (int64_t)k * 16 + 8, *sumHigh);
}

/* The kernel's body for sub-vectors of dimension D_; UNROLL is a full-unroll pragma where D_ is a
 * constant (vT then lives in registers) and nothing where it is not. */
#define PINV_PREFIX16_BODY(D_, UNROLL)                                                           \
  do {                                                                                           \
    /* vT[j] holds entry j of the sixteen sub-vectors (zero in lanes past `rows`). */            \
    __m512 vT[HSQ_PINV_MAX_DIM];                                                                 \
    UNROLL                                                                                       \
    for (int32_t j = 0; j < (D_); j++) {                                                         \
      float column[16] = {0};                                                                    \
      for (int32_t r = 0; r < rows; r++) column[r] = V[(int64_t)r * (D_) + j];                   \
      vT[j] = _mm512_loadu_ps(column);                                                           \
    }                                                                                            \
    __m512d sumLow = _mm512_setzero_pd(), sumHigh = _mm512_setzero_pd();                         \
    int32_t k = 0;                                                                               \
    for (; k + PINV_FLIGHT <= K; k += PINV_FLIGHT) {                                             \
      const float *row = P + (int64_t)k * (D_);                                                  \
      __m512 acc[PINV_FLIGHT];                                                                   \
      for (int c = 0; c < PINV_FLIGHT; c++) acc[c] = _mm512_setzero_ps();                        \
      UNROLL                                                                                     \
      for (int32_t j = 0; j < (D_); j++)                                                         \
        for (int c = 0; c < PINV_FLIGHT; c++)                                                    \
          acc[c] = _mm512_add_ps(acc[c], _mm512_mul_ps(_mm512_set1_ps(row[c * (D_) + j]), vT[j])); \
      for (int c = 0; c < PINV_FLIGHT; c++) pinv_store(acc[c], k + c, a, prefix, &sumLow, &sumHigh); \
    }                                                                                            \
    for (; k < K; k++) {                                                                         \
      const float *row = P + (int64_t)k * (D_);                                                  \
      __m512 acc = _mm512_setzero_ps();                                                          \
      UNROLL                                                                                     \
      for (int32_t j = 0; j < (D_); j++) acc = _mm512_add_ps(acc, _mm512_mul_ps(_mm512_set1_ps(row[j]), vT[j])); \
      pinv_store(acc, k, a, prefix, &sumLow, &sumHigh);                                          \
    }                                                                                            \
  } while (0)

#define PINV_FLIGHT 8
#define PINV_UNROLL _Pragma("clang loop unroll(full)")

__attribute__((target("avx512f")))
static void pinv_prefix16_d16(const float *P, int32_t K, const float *V, int32_t rows, float *a, double *prefix) {
  PINV_PREFIX16_BODY(16, PINV_UNROLL);
}

__attribute__((target("avx512f")))
static void pinv_prefix16_d8(const float *P, int32_t K, const float *V, int32_t rows, float *a, double *prefix) {
  PINV_PREFIX16_BODY(8, PINV_UNROLL);
}

__attribute__((target("avx512f")))
static void pinv_prefix16_any(const float *P, int32_t K, int32_t D, const float *V, int32_t rows, float *a, double *prefix) {
  PINV_PREFIX16_BODY(D, );
}

/* The AVX2 kernel: the same operations per lane, on eight lanes at a time (lanes 0–7, then 8–15 when rows > 8),
 * for CPUs without AVX-512. */
__attribute__((target("avx2"), always_inline))
static inline void pinv_store8(__m256 acc, int32_t k, int32_t half, float *a, double *prefix, __m256d *sumLow, __m256d *sumHigh) {
  _mm256_storeu_ps(a + (int64_t)k * 16 + 8 * half, acc);
  const __m256 magnitude = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), acc);
  *sumLow = _mm256_add_pd(*sumLow, _mm256_cvtps_pd(_mm256_castps256_ps128(magnitude)));
  *sumHigh = _mm256_add_pd(*sumHigh, _mm256_cvtps_pd(_mm256_extractf128_ps(magnitude, 1)));
  _mm256_storeu_pd(prefix + (int64_t)k * 16 + 8 * half, *sumLow);
  _mm256_storeu_pd(prefix + (int64_t)k * 16 + 8 * half + 4, *sumHigh);
}

#define PINV_PREFIX8_BODY(D_, UNROLL)                                                            \
  do {                                                                                           \
    for (int32_t half = 0; half < 2 && 8 * half < rows; half++) {                                \
      __m256 vT[HSQ_PINV_MAX_DIM];                                                               \
      UNROLL                                                                                     \
      for (int32_t j = 0; j < (D_); j++) {                                                       \
        float column[8] = {0};                                                                   \
        for (int32_t r = 8 * half; r < rows && r < 8 * half + 8; r++) column[r - 8 * half] = V[(int64_t)r * (D_) + j]; \
        vT[j] = _mm256_loadu_ps(column);                                                         \
      }                                                                                          \
      __m256d sumLow = _mm256_setzero_pd(), sumHigh = _mm256_setzero_pd();                       \
      int32_t k = 0;                                                                             \
      for (; k + PINV_FLIGHT <= K; k += PINV_FLIGHT) {                                           \
        const float *row = P + (int64_t)k * (D_);                                                \
        __m256 acc[PINV_FLIGHT];                                                                 \
        for (int c = 0; c < PINV_FLIGHT; c++) acc[c] = _mm256_setzero_ps();                      \
        UNROLL                                                                                   \
        for (int32_t j = 0; j < (D_); j++)                                                       \
          for (int c = 0; c < PINV_FLIGHT; c++)                                                  \
            acc[c] = _mm256_add_ps(acc[c], _mm256_mul_ps(_mm256_broadcast_ss(row + c * (D_) + j), vT[j])); \
        for (int c = 0; c < PINV_FLIGHT; c++) pinv_store8(acc[c], k + c, half, a, prefix, &sumLow, &sumHigh); \
      }                                                                                          \
      for (; k < K; k++) {                                                                       \
        const float *row = P + (int64_t)k * (D_);                                                \
        __m256 acc = _mm256_setzero_ps();                                                        \
        UNROLL                                                                                   \
        for (int32_t j = 0; j < (D_); j++) acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_broadcast_ss(row + j), vT[j])); \
        pinv_store8(acc, k, half, a, prefix, &sumLow, &sumHigh);                                 \
      }                                                                                          \
    }                                                                                            \
  } while (0)

__attribute__((target("avx2")))
static void pinv_prefix8_d16(const float *P, int32_t K, const float *V, int32_t rows, float *a, double *prefix) {
  PINV_PREFIX8_BODY(16, PINV_UNROLL);
}

__attribute__((target("avx2")))
static void pinv_prefix8_d8(const float *P, int32_t K, const float *V, int32_t rows, float *a, double *prefix) {
  PINV_PREFIX8_BODY(8, PINV_UNROLL);
}

__attribute__((target("avx2")))
static void pinv_prefix8_any(const float *P, int32_t K, int32_t D, const float *V, int32_t rows, float *a, double *prefix) {
  PINV_PREFIX8_BODY(D, );
}

/* The scalar binary search of each lane, sixteen lanes side by side: every lane probes the same
 * mids in the same order (low, high and mid per lane), so the answer is the scalar loop's even where
 * the running sums are not monotone (a NaN coefficient). The two vectors of eight lanes search in the
 * same loop: each probe waits on a gather, and two independent chains of them overlap. */
__attribute__((target("avx512f")))
static void prefix_search16_avx512(const double *prefix, int32_t K, const double *r, int32_t *chosen) {
  const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  __m512d target[2];
  __m512i low[2], high[2], offset[2];
  __mmask8 active[2];
  for (int half = 0; half < 2; half++) {
    target[half] = _mm512_loadu_pd(r + 8 * half);
    low[half] = _mm512_setzero_si512();
    high[half] = _mm512_set1_epi64(K);
    offset[half] = _mm512_add_epi64(lane, _mm512_set1_epi64(8 * half));
    active[half] = _mm512_cmplt_epi64_mask(low[half], high[half]);
  }
  while (active[0] | active[1]) {
    for (int half = 0; half < 2; half++) {
      if (!active[half]) continue;
      const __m512i mid = _mm512_srli_epi64(_mm512_add_epi64(low[half], high[half]), 1);
      const __m512i at = _mm512_add_epi64(_mm512_slli_epi64(mid, 4), offset[half]);
      const __m512d value = _mm512_mask_i64gather_pd(_mm512_setzero_pd(), active[half], at, prefix, 8);
      const __mmask8 above = _mm512_mask_cmp_pd_mask(active[half], value, target[half], _CMP_GT_OQ);
      high[half] = _mm512_mask_mov_epi64(high[half], above, mid);
      low[half] = _mm512_mask_mov_epi64(low[half], active[half] & ~above, _mm512_add_epi64(mid, _mm512_set1_epi64(1)));
      active[half] = _mm512_cmplt_epi64_mask(low[half], high[half]);
    }
  }
  for (int half = 0; half < 2; half++) _mm256_storeu_si256((__m256i *)(chosen + 8 * half), _mm512_cvtepi64_epi32(low[half]));
}
#endif

/* The portable kernel: the same operations per lane in plain C, the lanes innermost (compilers vectorize them:
 * SSE2 on any x86-64, NEON on aarch64), for CPUs without AVX2 and for the portable level. */
static void pinv_prefix16_portable(const float *P, int32_t K, int32_t D, const float *V, int32_t rows, float *a, double *prefix) {
  float vT[HSQ_PINV_MAX_DIM][16];
  for (int32_t j = 0; j < D; j++)
    for (int32_t r = 0; r < 16; r++) vT[j][r] = r < rows ? V[(int64_t)r * D + j] : 0.0f;
  double sum[16] = {0};
  for (int32_t k = 0; k < K; k++) {
    const float *row = P + (int64_t)k * D;
    float acc[16] = {0};
    for (int32_t j = 0; j < D; j++) {
      const float p = row[j];
      for (int32_t r = 0; r < 16; r++) acc[r] = acc[r] + p * vT[j][r];
    }
    for (int32_t r = 0; r < 16; r++) {
      a[(int64_t)k * 16 + r] = acc[r];
      sum[r] = sum[r] + (double)fabsf(acc[r]);
      prefix[(int64_t)k * 16 + r] = sum[r];
    }
  }
}

int hsq_pinv_prefix16(const float *P, int32_t K, int32_t D, const float *V, int32_t rows, float *a, double *prefix,
                      hsq_kernel_level level) {
  if (D < 1 || D > HSQ_PINV_MAX_DIM || rows < 1 || rows > 16) return 0;
#if defined(__x86_64__)
  if (level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512f()) {
    if (D == 16) pinv_prefix16_d16(P, K, V, rows, a, prefix);
    else if (D == 8) pinv_prefix16_d8(P, K, V, rows, a, prefix);
    else pinv_prefix16_any(P, K, D, V, rows, a, prefix);
    return 1;
  }
  if (level <= HSQ_KERNELS_AVX2 && hsq_cpu_has_avx2_fma()) {
    if (D == 16) pinv_prefix8_d16(P, K, V, rows, a, prefix);
    else if (D == 8) pinv_prefix8_d8(P, K, V, rows, a, prefix);
    else pinv_prefix8_any(P, K, D, V, rows, a, prefix);
    return 1;
  }
#endif
  (void)level;
  pinv_prefix16_portable(P, K, D, V, rows, a, prefix);
  return 1;
}

void hsq_prefix_search16(const double *prefix, int32_t K, const double *r, int32_t *chosen, hsq_kernel_level level) {
#if defined(__x86_64__)
  if (level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512f() && K < (1 << 26)) {
    prefix_search16_avx512(prefix, K, r, chosen);
    return;
  }
#endif
  for (int32_t lane = 0; lane < 16; lane++) {
    int32_t low = 0, high = K;
    while (low < high) {
      int32_t mid = (int32_t)(((int64_t)low + high) / 2);
      if (prefix[16 * (int64_t)mid + lane] > r[lane]) high = mid; else low = mid + 1;
    }
    chosen[lane] = low;
  }
}

/* RandomStream.uniformDouble: the next draw x, (x >> 11)·2⁻⁵³ (exact). */
static inline double uniform_double(uint64_t state[4]) {
  const uint64_t x = hsq_xoshiro_output(state[1]);
  hsq_xoshiro_advance(&state[0], &state[1], &state[2], &state[3]);
  return (double)(x >> 11) * 0x1p-53;
}

void hsq_pinv_choose16(const float *a, const double *prefix, int32_t K, int32_t rows, uint64_t state[4], int32_t *indices,
                       float *scalars, hsq_kernel_level level) {
  const double *norms = prefix + 16 * (int64_t)(K - 1);
  double r[16];
  int32_t chosen[16];
  for (int32_t lane = 0; lane < 16; lane++) {
    const double norm1 = lane < rows ? norms[lane] : 0;
    r[lane] = norm1 > 0 ? uniform_double(state) * norm1 : 0;
  }
  hsq_prefix_search16(prefix, K, r, chosen, level);
  for (int32_t lane = 0; lane < rows; lane++) {
    const double norm1 = norms[lane];
    if (!(norm1 > 0)) continue;
    int32_t k = chosen[lane];
    if (k == K) /* no running sum passes r (r rounded up to ‖a‖₁): the last non-zero a_k */
      for (k = K - 1; a[16 * (int64_t)k + lane] == 0; k--) {}
    indices[lane] = k;
    /* (float)(a_k < 0 ? −‖a‖₁ : ‖a‖₁) without a branch (a_k's sign is a coin flip: a branch on it mispredicts half the
     * time): rounding is symmetric, so the sign bit of (float)‖a‖₁ flips exactly when a_k < 0. */
    const float magnitude = (float)norm1;
    uint32_t bits;
    memcpy(&bits, &magnitude, sizeof bits);
    bits ^= (uint32_t)(a[16 * (int64_t)k + lane] < 0) << 31;
    memcpy(&scalars[lane], &bits, sizeof bits);
  }
}
