/* Vector reductions for HSQCore's Vec, with AVX-512 / AVX2 paths picked at run time.
 *
 * Every path performs the same operations per lane as the portable loop (and as
 * the Swift SIMD code these replace), so the results are identical bit for bit:
 * lane j of acc[0..7] accumulates the chunk entries i + j, lane j of acc[8..15]
 * the entries i + 8 + j, for each 16-entry chunk i in order. No contraction
 * into FMA: the product of a difference is rounded before it is added.
 */
#pragma clang fp contract(off)
#include "kernels.h"
#include <immintrin.h>
#include <math.h>

static int vec_level(void) {
#if defined(__x86_64__)
  static int cached = -1;
  if (cached < 0) {
    __builtin_cpu_init();
    cached = __builtin_cpu_supports("avx512f") ? 2 : (__builtin_cpu_supports("avx2") ? 1 : 0);
  }
  return cached;
#else
  return 0;
#endif
}

static void squares_portable(const float *x, int64_t n16, double *acc) {
  for (int64_t i = 0; i < n16; i += 16)
    for (int j = 0; j < 16; j++) {
      double v = (double)x[i + j];
      acc[j] = acc[j] + v * v;
    }
}

static void diffs_portable(const float *a, const float *b, int64_t n16, double *acc) {
  for (int64_t i = 0; i < n16; i += 16)
    for (int j = 0; j < 16; j++) {
      double d = (double)a[i + j] - (double)b[i + j];
      acc[j] = acc[j] + d * d;
    }
}

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static void squares_avx512(const float *x, int64_t n16, double *acc) {
  __m512d a0 = _mm512_loadu_pd(acc), a1 = _mm512_loadu_pd(acc + 8);
  for (int64_t i = 0; i < n16; i += 16) {
    __m512d v0 = _mm512_cvtps_pd(_mm256_loadu_ps(x + i));
    __m512d v1 = _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 8));
    a0 = _mm512_add_pd(a0, _mm512_mul_pd(v0, v0));
    a1 = _mm512_add_pd(a1, _mm512_mul_pd(v1, v1));
  }
  _mm512_storeu_pd(acc, a0);
  _mm512_storeu_pd(acc + 8, a1);
}

__attribute__((target("avx512f")))
static void diffs_avx512(const float *a, const float *b, int64_t n16, double *acc) {
  __m512d a0 = _mm512_loadu_pd(acc), a1 = _mm512_loadu_pd(acc + 8);
  for (int64_t i = 0; i < n16; i += 16) {
    __m512d d0 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(a + i)), _mm512_cvtps_pd(_mm256_loadu_ps(b + i)));
    __m512d d1 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(a + i + 8)), _mm512_cvtps_pd(_mm256_loadu_ps(b + i + 8)));
    a0 = _mm512_add_pd(a0, _mm512_mul_pd(d0, d0));
    a1 = _mm512_add_pd(a1, _mm512_mul_pd(d1, d1));
  }
  _mm512_storeu_pd(acc, a0);
  _mm512_storeu_pd(acc + 8, a1);
}

__attribute__((target("avx2")))
static void squares_avx2(const float *x, int64_t n16, double *acc) {
  __m256d a[4];
  for (int k = 0; k < 4; k++) a[k] = _mm256_loadu_pd(acc + 4 * k);
  for (int64_t i = 0; i < n16; i += 16)
    for (int k = 0; k < 4; k++) {
      __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4 * k));
      a[k] = _mm256_add_pd(a[k], _mm256_mul_pd(v, v));
    }
  for (int k = 0; k < 4; k++) _mm256_storeu_pd(acc + 4 * k, a[k]);
}

__attribute__((target("avx2")))
static void diffs_avx2(const float *a, const float *b, int64_t n16, double *acc) {
  __m256d s[4];
  for (int k = 0; k < 4; k++) s[k] = _mm256_loadu_pd(acc + 4 * k);
  for (int64_t i = 0; i < n16; i += 16)
    for (int k = 0; k < 4; k++) {
      __m256d d = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(a + i + 4 * k)), _mm256_cvtps_pd(_mm_loadu_ps(b + i + 4 * k)));
      s[k] = _mm256_add_pd(s[k], _mm256_mul_pd(d, d));
    }
  for (int k = 0; k < 4; k++) _mm256_storeu_pd(acc + 4 * k, s[k]);
}

/* Index of the first entry that is NaN or ±inf (exponent all ones), or -1. */
__attribute__((target("avx512f")))
static int64_t nonfinite_avx512(const float *x, int64_t n) {
  const __m512i expo = _mm512_set1_epi32(0x7f800000);
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    __m512i a = _mm512_and_si512(_mm512_loadu_si512(x + i), expo);
    __m512i b = _mm512_and_si512(_mm512_loadu_si512(x + i + 16), expo);
    __m512i c = _mm512_and_si512(_mm512_loadu_si512(x + i + 32), expo);
    __m512i d = _mm512_and_si512(_mm512_loadu_si512(x + i + 48), expo);
    __mmask16 m = _mm512_cmpeq_epi32_mask(a, expo) | _mm512_cmpeq_epi32_mask(b, expo) |
                  _mm512_cmpeq_epi32_mask(c, expo) | _mm512_cmpeq_epi32_mask(d, expo);
    if (m) break;
  }
  for (; i < n; i++)
    if (!isfinite(x[i])) return i;
  return -1;
}
#endif

void hsq_sum_squares_chunks(const float *x, int64_t n, double *acc) {
  const int64_t n16 = n & ~(int64_t)15;
#if defined(__x86_64__)
  int level = vec_level();
  if (level == 2) { squares_avx512(x, n16, acc); return; }
  if (level == 1) { squares_avx2(x, n16, acc); return; }
#endif
  squares_portable(x, n16, acc);
}

void hsq_sum_squared_diffs_chunks(const float *a, const float *b, int64_t n, double *acc) {
  const int64_t n16 = n & ~(int64_t)15;
#if defined(__x86_64__)
  int level = vec_level();
  if (level == 2) { diffs_avx512(a, b, n16, acc); return; }
  if (level == 1) { diffs_avx2(a, b, n16, acc); return; }
#endif
  diffs_portable(a, b, n16, acc);
}

int64_t hsq_first_nonfinite(const float *x, int64_t n) {
#if defined(__x86_64__)
  if (vec_level() == 2) return nonfinite_avx512(x, n);
#endif
  for (int64_t i = 0; i < n; i++)
    if (!isfinite(x[i])) return i;
  return -1;
}
