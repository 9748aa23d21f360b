/* The unnormalized fast Walsh–Hadamard transform, in place.
 *
 * Level h (h = 1, 2, 4, …) replaces every pair (x_i, x_{i+h}) with i's bit h clear by
 * (x_i + x_{i+h}, x_i − x_{i+h}). A level's butterflies are independent, and for h below a block
 * of B entries they stay inside aligned blocks, so the levels below B run block by block while
 * the block is in L1; the levels from B up run two at a time (each radix-4 butterfly is two
 * levels' butterflies on four entries, the same sums in the same order). Every entry sees the
 * same sequence of IEEE additions and subtractions as the level-by-level loop, so the result is
 * the same bit for bit (tested against it).
 *
 * With AVX-512 the levels 1, 2, 4 and 8, whose pairs lie inside one vector of sixteen, run in the
 * register: each is one permute and an add, the lanes with bit h set taking the difference instead
 * (x_{i−h} − x_i, the same operands in the same order). The levels from 16 up take sixteen pairs
 * per vector. The portable C, for other CPUs and n < 16, does the lower levels a scalar at a time.
 */
#include "kernels.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#include "cpu_features.h"
#endif

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

static void fwht_portable(float *x, int64_t n) {
  const int64_t block = n < FWHT_BLOCK ? n : FWHT_BLOCK;
  for (int64_t start = 0; start < n; start += block) {
    for (int64_t h = 1; h < block; h <<= 1) one_level(x + start, block, h);
  }
  int64_t h = block;
  for (; (h << 1) < n; h <<= 2) two_levels(x, n, h);
  if (h < n) one_level(x, n, h);
}

#if defined(__x86_64__)
/* Levels 1, 2, 4 and 8 on each vector of sixteen: lane i takes x_i + x_{i^h} where bit h of i is clear,
 * x_{i^h} − x_i where it is set. */
__attribute__((target("avx512f")))
static void low_levels_avx512(float *x, int64_t n) {
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i p1 = _mm512_xor_si512(lane, _mm512_set1_epi32(1)), p2 = _mm512_xor_si512(lane, _mm512_set1_epi32(2));
  const __m512i p4 = _mm512_xor_si512(lane, _mm512_set1_epi32(4)), p8 = _mm512_xor_si512(lane, _mm512_set1_epi32(8));
  for (int64_t i = 0; i < n; i += 16) {
    __m512 v = _mm512_loadu_ps(x + i), p;
    p = _mm512_permutexvar_ps(p1, v);
    v = _mm512_mask_sub_ps(_mm512_add_ps(v, p), 0xAAAA, p, v);
    p = _mm512_permutexvar_ps(p2, v);
    v = _mm512_mask_sub_ps(_mm512_add_ps(v, p), 0xCCCC, p, v);
    p = _mm512_permutexvar_ps(p4, v);
    v = _mm512_mask_sub_ps(_mm512_add_ps(v, p), 0xF0F0, p, v);
    p = _mm512_permutexvar_ps(p8, v);
    v = _mm512_mask_sub_ps(_mm512_add_ps(v, p), 0xFF00, p, v);
    _mm512_storeu_ps(x + i, v);
  }
}

/* one_level for h ≥ 16 (a multiple of 16), sixteen pairs a step. */
__attribute__((target("avx512f")))
static void one_level_avx512(float *x, int64_t n, int64_t h) {
  for (int64_t i = 0; i < n; i += h << 1) {
    float *a = x + i, *b = x + i + h;
    for (int64_t j = 0; j < h; j += 16) {
      const __m512 u = _mm512_loadu_ps(a + j), w = _mm512_loadu_ps(b + j);
      _mm512_storeu_ps(a + j, _mm512_add_ps(u, w));
      _mm512_storeu_ps(b + j, _mm512_sub_ps(u, w));
    }
  }
}

/* two_levels for h ≥ 16 (a multiple of 16), sixteen butterflies a step. */
__attribute__((target("avx512f")))
static void two_levels_avx512(float *x, int64_t n, int64_t h) {
  for (int64_t i = 0; i < n; i += h << 2) {
    float *a = x + i, *b = a + h, *c = b + h, *d = c + h;
    for (int64_t j = 0; j < h; j += 16) {
      const __m512 va = _mm512_loadu_ps(a + j), vb = _mm512_loadu_ps(b + j);
      const __m512 vc = _mm512_loadu_ps(c + j), vd = _mm512_loadu_ps(d + j);
      const __m512 p = _mm512_add_ps(va, vb), q = _mm512_sub_ps(va, vb), r = _mm512_add_ps(vc, vd), s = _mm512_sub_ps(vc, vd);
      _mm512_storeu_ps(a + j, _mm512_add_ps(p, r));
      _mm512_storeu_ps(c + j, _mm512_sub_ps(p, r));
      _mm512_storeu_ps(b + j, _mm512_add_ps(q, s));
      _mm512_storeu_ps(d + j, _mm512_sub_ps(q, s));
    }
  }
}

/* The levels from 16 up (n ≥ 16): within each L1 block two at a time, then across blocks as the portable path. */
__attribute__((target("avx512f")))
static void fwht_avx512(float *x, int64_t n) {
  const int64_t block = n < FWHT_BLOCK ? n : FWHT_BLOCK;
  for (int64_t start = 0; start < n; start += block) {
    low_levels_avx512(x + start, block);
    int64_t h = 16;
    for (; (h << 1) < block; h <<= 2) two_levels_avx512(x + start, block, h);
    if (h < block) one_level_avx512(x + start, block, h);
  }
  int64_t h = block;
  for (; (h << 1) < n; h <<= 2) two_levels_avx512(x, n, h);
  if (h < n) one_level_avx512(x, n, h);
}
#endif

void hsq_fwht(float *x, int64_t n, hsq_kernel_level level) {
#if defined(__x86_64__)
  if (n >= 16 && level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512f()) {
    fwht_avx512(x, n);
    return;
  }
#else
  (void)level;
#endif
  fwht_portable(x, n);
}

/* Entries h … h + len − 1 are entries 0 … len − 1 with the sign bits xored with `flip`. */
static void copy_flipped(uint32_t *restrict dst, const uint32_t *restrict src, int64_t len, uint32_t flip) {
  for (int64_t j = 0; j < len; j++) dst[j] = src[j] ^ flip;
}

void hsq_hadamard_column(float *out, int64_t n, int64_t k, float c) {
  if (n <= 0) return;
  uint32_t *bits = (uint32_t *)out;
  memcpy(bits, &c, sizeof c);
  for (int64_t h = 1; h < n; h <<= 1) {
    const int64_t len = h < n - h ? h : n - h;
    copy_flipped(bits + h, bits, len, (k & h) ? 0x80000000u : 0u);
  }
}

#if defined(__x86_64__)
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
