/* Per-coordinate codes of the baselines: natural's and terngrad's, from uniforms drawn by the caller, and the sign
 * fields of signsgd and scaled-sign.
 *
 * Each loop body is plain C on one coordinate (integer operations and IEEE comparisons and
 * divisions, which round the same in every lane), compiled twice: for baseline x86-64 (or any
 * other CPU) and, where the CPU has it, for AVX-512, where clang vectorizes it sixteen lanes wide.
 * Both give the same codes as the Swift loops they replace (NaturalCompressor, TernGradCompressor;
 * tested against them).
 */
#include "kernels.h"
#include "cpu_features.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#pragma STDC FP_CONTRACT OFF

static inline uint32_t natural_code(float value, uint32_t r) {
  uint32_t pattern;
  memcpy(&pattern, &value, sizeof pattern);
  const uint32_t magnitude = pattern & 0x7FFFFFFFu, field = magnitude >> 23, mantissa = magnitude & 0x7FFFFFu;
  /* Normal: 2^(field − 127) ≤ |v| < 2^(field − 126), exponent field E = field + 23 (+1 when rounding up). */
  const uint32_t normal = field + 23 + (r < mantissa ? 1u : 0u);
  /* Subnormal: |v| = mantissa·2⁻¹⁴⁹, 2^top ≤ mantissa < 2^(top + 1). */
  const uint32_t top = 31u - (uint32_t)__builtin_clz(mantissa | 1u);
  const uint32_t fraction = mantissa - (1u << top);
  const uint32_t subnormal = top + 1 + ((r >> (23 - top)) < fraction ? 1u : 0u);
  const uint32_t exponent = field != 0 ? normal : subnormal;
  return magnitude != 0 ? (exponent << 1 | pattern >> 31) : 0u;
}

static inline uint8_t terngrad_group(const float *x, const float *u, float m) {
  uint32_t group = 0;
  for (int j = 4; j >= 0; j--) {
    const float a = x[j] < 0 ? -x[j] : x[j];
    const int kept = m > 0 && u[j] < a / m;
    group = group * 3 + (kept ? (x[j] < 0 ? 2u : 1u) : 0u);
  }
  return (uint8_t)group;
}

/* The value of a natural code E << 1 | sign: ±2^(E − 150), 0 for E = 0 (a subnormal 2^(E − 150) for E ≤ 23). */
static inline float natural_value(uint32_t code) {
  const uint32_t e = (code >> 1) & 255u;
  const uint32_t magnitude = e >= 24 ? (e - 23) << 23 : (e == 0 ? 0u : 1u << ((e - 1) & 31));
  const uint32_t pattern = magnitude | (code & 1u) << 31;
  float value;
  memcpy(&value, &pattern, sizeof value);
  return value;
}

#define NATURAL_LOOP for (int64_t i = 0; i < n; i++) codes[i] = natural_code(x[i], r[i]);
#define NATURAL_VALUES_LOOP for (int64_t i = 0; i < n; i++) out[i] = natural_value(codes[i]);
#define TERNGRAD_LOOP for (int64_t g = 0; g < groups; g++) out[g] = terngrad_group(x + 5 * g, u + 5 * g, m);

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512cd,avx512bw,avx512vl")))
static void natural_avx512(const float *restrict x, const uint32_t *restrict r, int64_t n, uint32_t *restrict codes) {
  NATURAL_LOOP
}
__attribute__((target("avx512f,avx512cd,avx512bw,avx512vl")))
static void natural_values_avx512(const uint32_t *restrict codes, int64_t n, float *restrict out) { NATURAL_VALUES_LOOP }
__attribute__((target("avx512f,avx512cd,avx512bw,avx512vl")))
static void terngrad_avx512(const float *x, const float *u, int64_t groups, float m, uint8_t *out) { TERNGRAD_LOOP }
#endif

static void natural_portable(const float *restrict x, const uint32_t *restrict r, int64_t n, uint32_t *restrict codes) {
  NATURAL_LOOP
}
static void natural_values_portable(const uint32_t *restrict codes, int64_t n, float *restrict out) { NATURAL_VALUES_LOOP }
static void terngrad_portable(const float *x, const float *u, int64_t groups, float m, uint8_t *out) { TERNGRAD_LOOP }

void hsq_natural_codes(const float *restrict x, const uint32_t *restrict r, int64_t n, uint32_t *restrict codes,
                       hsq_kernel_level level) {
#if defined(__x86_64__)
  if (level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512_bw_cd()) {
    natural_avx512(x, r, n, codes);
    return;
  }
#endif
  (void)level;
  natural_portable(x, r, n, codes);
}

void hsq_natural_values(const uint32_t *restrict codes, int64_t n, float *restrict out, hsq_kernel_level level) {
#if defined(__x86_64__)
  if (level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512_bw_cd()) {
    natural_values_avx512(codes, n, out);
    return;
  }
#endif
  (void)level;
  natural_values_portable(codes, n, out);
}

void hsq_terngrad_groups(const float *x, const float *u, int64_t groups, float m, uint8_t *out, hsq_kernel_level level) {
#if defined(__x86_64__)
  if (level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512_bw_cd()) {
    terngrad_avx512(x, u, groups, m, out);
    return;
  }
#endif
  (void)level;
  terngrad_portable(x, u, groups, m, out);
}

/* Sign fields: bit j of word k is 1 when x[32k + j] < 0 (±0 give 0); the last word's unused bits are 0. */
static void sign_words_from(const float *x, int64_t n, uint32_t *words, int64_t k) {
  for (; 32 * k < n; k++) {
    uint32_t word = 0;
    for (int64_t j = 0; j < 32 && 32 * k + j < n; j++) word |= (uint32_t)(x[32 * k + j] < 0) << j;
    words[k] = word;
  }
}

/* Values ±magnitude from sign fields: the bit pattern of magnitude with bit i of the fields as the sign bit. */
static void sign_values_from(const uint32_t *words, int64_t n, float magnitude, float *out, int64_t i) {
  uint32_t bits;
  memcpy(&bits, &magnitude, sizeof bits);
  for (; i < n; i++) {
    const uint32_t value = bits | ((words[i / 32] >> (i % 32)) & 1u) << 31;
    memcpy(out + i, &value, sizeof value);
  }
}

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static int64_t sign_words_avx512(const float *x, int64_t n, uint32_t *words) {
  const __m512 zero = _mm512_setzero_ps();
  int64_t k = 0;
  for (; 32 * k + 32 <= n; k++) {
    const uint32_t low = _mm512_cmp_ps_mask(_mm512_loadu_ps(x + 32 * k), zero, _CMP_LT_OQ);
    const uint32_t high = _mm512_cmp_ps_mask(_mm512_loadu_ps(x + 32 * k + 16), zero, _CMP_LT_OQ);
    words[k] = low | high << 16;
  }
  return k;
}

__attribute__((target("avx512f")))
static int64_t sign_values_avx512(const uint32_t *words, int64_t n, float magnitude, float *out) {
  const __m512 positive = _mm512_set1_ps(magnitude);
  const __m512 negative = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(positive), _mm512_set1_epi32((int)0x80000000u)));
  int64_t k = 0;
  for (; 32 * k + 32 <= n; k++) {
    _mm512_storeu_ps(out + 32 * k, _mm512_mask_blend_ps((__mmask16)words[k], positive, negative));
    _mm512_storeu_ps(out + 32 * k + 16, _mm512_mask_blend_ps((__mmask16)(words[k] >> 16), positive, negative));
  }
  return 32 * k;
}
#endif

void hsq_sign_words(const float *x, int64_t n, uint32_t *words, hsq_kernel_level level) {
  int64_t k = 0;
#if defined(__x86_64__)
  if (level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512f_vl()) k = sign_words_avx512(x, n, words);
#endif
  (void)level;
  sign_words_from(x, n, words, k);
}

void hsq_sign_values(const uint32_t *words, int64_t n, float magnitude, float *out, hsq_kernel_level level) {
  int64_t i = 0;
#if defined(__x86_64__)
  if (level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512f_vl()) i = sign_values_avx512(words, n, magnitude, out);
#endif
  (void)level;
  sign_values_from(words, n, magnitude, out, i);
}
