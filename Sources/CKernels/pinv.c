/* Unbiased HSQ's coefficients a = C⁺v and their running ℓ1 sums, sixteen sub-vectors at a time.
 *
 * PseudoInverseCoefficients computes, for one sub-vector v and each codeword k,
 * a_k = (…((+0 + P[k,0]·v_0) + P[k,1]·v_1) … + P[k,D−1]·v_{D−1}) in float (each product and
 * sum rounded separately), then the running sums of |a_k| in double, k = 0, 1, … in order. A
 * sub-vector's operations form one long dependency chain; here sixteen sub-vectors run side
 * by side, one per lane, each lane doing exactly that sequence of IEEE operations, so every a_k
 * and every running sum equals the Swift loop's bit for bit (tested).
 */
#include "kernels.h"
#include "cpu_features.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* Swift never fuses a multiply and an add; neither may these loops. */
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static void pinv_prefix16_avx512(const float *P, int32_t K, int32_t D, const float *V, int32_t rows,
                                 float *a, double *prefix) {
  /* vT[j] holds entry j of the sixteen sub-vectors (zero in lanes past `rows`). */
  __m512 vT[HSQ_PINV_MAX_DIM];
  for (int32_t j = 0; j < D; j++) {
    float column[16] = {0};
    for (int32_t r = 0; r < rows; r++) column[r] = V[(int64_t)r * D + j];
    vT[j] = _mm512_loadu_ps(column);
  }
  const __m512i signless = _mm512_set1_epi32(0x7FFFFFFF);
  __m512d sumLow = _mm512_setzero_pd(), sumHigh = _mm512_setzero_pd();
  for (int32_t k = 0; k < K; k++) {
    const float *row = P + (int64_t)k * D;
    __m512 acc = _mm512_setzero_ps();
    for (int32_t j = 0; j < D; j++) acc = _mm512_add_ps(acc, _mm512_mul_ps(_mm512_set1_ps(row[j]), vT[j]));
    _mm512_storeu_ps(a + (int64_t)k * 16, acc);
    __m512 magnitude = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(acc), signless));
    sumLow = _mm512_add_pd(sumLow, _mm512_cvtps_pd(_mm512_castps512_ps256(magnitude)));
    sumHigh = _mm512_add_pd(sumHigh, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(magnitude), 1))));
    _mm512_storeu_pd(prefix + (int64_t)k * 16, sumLow);
    _mm512_storeu_pd(prefix + (int64_t)k * 16 + 8, sumHigh);
  }
}
#endif

int hsq_pinv_prefix16(const float *P, int32_t K, int32_t D, const float *V, int32_t rows, float *a, double *prefix) {
#if defined(__x86_64__)
  if (D >= 1 && D <= HSQ_PINV_MAX_DIM && rows >= 1 && rows <= 16 && hsq_cpu_has_avx512f()) {
    pinv_prefix16_avx512(P, K, D, V, rows, a, prefix);
    return 1;
  }
#endif
  (void)P; (void)K; (void)D; (void)V; (void)rows; (void)a; (void)prefix;
  return 0;
}
