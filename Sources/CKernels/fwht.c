/* The unnormalized fast Walsh–Hadamard transform, in place.
 *
 * Level h (h = 1, 2, 4, …) replaces every pair (x_i, x_{i+h}) with i's bit h clear by
 * (x_i + x_{i+h}, x_i − x_{i+h}). A level's butterflies are independent, and for h below a block
 * of B entries they stay inside aligned blocks, so the levels below B run block by block while
 * the block is in L1; the levels from B up run two at a time (each radix-4 butterfly is two
 * levels' butterflies on four entries, the same sums in the same order). Every entry sees the
 * same sequence of IEEE additions and subtractions as the level-by-level loop, so the result is
 * the same bit for bit (tested against it).
 */
#include "kernels.h"

/* Entries per L1 block (16 KB of floats). */
#define FWHT_BLOCK 4096

static void one_level(float *x, int64_t n, int64_t h) {
  for (int64_t i = 0; i < n; i += h << 1) {
    float *a = x + i, *b = x + i + h;
    for (int64_t j = 0; j < h; j++) {
      const float u = a[j], w = b[j];
      a[j] = u + w;
      b[j] = u - w;
    }
  }
}

/* Levels h and 2h together: the butterflies of level h on (a, b) and (c, d), then of level 2h. */
static void two_levels(float *x, int64_t n, int64_t h) {
  for (int64_t i = 0; i < n; i += h << 2) {
    float *a = x + i, *b = a + h, *c = b + h, *d = c + h;
    for (int64_t j = 0; j < h; j++) {
      const float p = a[j] + b[j], q = a[j] - b[j], r = c[j] + d[j], s = c[j] - d[j];
      a[j] = p + r;
      c[j] = p - r;
      b[j] = q + s;
      d[j] = q - s;
    }
  }
}

void hsq_fwht(float *x, int64_t n) {
  const int64_t block = n < FWHT_BLOCK ? n : FWHT_BLOCK;
  for (int64_t start = 0; start < n; start += block) {
    for (int64_t h = 1; h < block; h <<= 1) one_level(x + start, block, h);
  }
  int64_t h = block;
  for (; (h << 1) < n; h <<= 2) two_levels(x, n, h);
  if (h < n) one_level(x, n, h);
}

#if defined(__x86_64__)
#include <immintrin.h>
#include "cpu_features.h"

/* Sixteen entries a step: bits k … k+15 of the sign words pick −scale or scale per lane. */
__attribute__((target("avx512f")))
static int64_t sign_scale_avx512(float *x, int64_t n, const uint64_t *signs, float scale) {
  const __m512 plus = _mm512_set1_ps(scale), minus = _mm512_set1_ps(-scale);
  int64_t k = 0;
  for (; k + 16 <= n; k += 16) {
    __mmask16 negative = (__mmask16)(signs[k >> 6] >> (k & 63));
    __m512 factor = _mm512_mask_blend_ps(negative, plus, minus);
    _mm512_storeu_ps(x + k, _mm512_mul_ps(_mm512_loadu_ps(x + k), factor));
  }
  return k;
}
#endif

void hsq_sign_scale(float *x, int64_t n, const uint64_t *signs, float scale, hsq_kernel_level level) {
  int64_t k = 0;
#if defined(__x86_64__)
  if (level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512f()) k = sign_scale_avx512(x, n, signs, scale);
#else
  (void)level;
#endif
  for (; k < n; k++) x[k] *= (signs[k >> 6] >> (k & 63)) & 1 ? -scale : scale;
}
