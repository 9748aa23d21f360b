/* Per-coordinate codes of the baselines: natural's, terngrad's and qsgd's, from uniforms drawn by the caller, and the
 * sign fields of signsgd and scaled-sign.
 *
 * Each loop body is plain C on one coordinate (integer operations and IEEE comparisons and
 * divisions, which round the same in every lane), compiled twice: for baseline x86-64 (or any
 * other CPU) and, where the CPU has it, for AVX-512, where clang vectorizes it sixteen lanes wide.
 * Both give the same codes as the Swift loops they replace (NaturalCompressor, TernGradCompressor, QSGDCompressor;
 * tested against them). QSGD's loops are compiled for AVX2 too.
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

static inline uint32_t float_bits(float x) {
  uint32_t pattern;
  memcpy(&pattern, &x, sizeof pattern);
  return pattern;
}

static inline float bits_float(uint32_t pattern) {
  float x;
  memcpy(&x, &pattern, sizeof x);
  return x;
}

/* QSGD's code ξ << 1 | signbit(x) with r = (|x|/σ)·s: ⌊r⌋ is the nearest integer ((r + 2²³) − 2²³, exact for
 * 0 ≤ r < 2²²) minus one when that is above r, capped at s − 1 as Swift's min(a, b) (b < a ? b : a) caps it; ξ is one
 * more when u < r − ⌊r⌋; as an integer in a float it lands in the low mantissa bits of ξ + 2²³. */
static inline uint32_t qsgd_code(float x, float u, float sigma, float s, float s_minus_one) {
  const uint32_t pattern = float_bits(x);
  const float r = (bits_float(pattern & 0x7FFFFFFFu) / sigma) * s;
  const float nearest = (r + 0x1p23f) - 0x1p23f;
  float low = nearest - (nearest > r ? 1.0f : 0.0f);
  low = s_minus_one < low ? s_minus_one : low;
  const float level = low + (u < r - low ? 1.0f : 0.0f);
  return (float_bits(level + 0x1p23f) & 0x7FFFFFu) << 1 | pattern >> 31;
}

/* QSGD's value of code ξ << 1 | sign: ±min((ξ·(1/s))·σ, σ) (Swift's min(a, σ): σ < a ? σ : a). Sets *invalid when ξ > s. */
static inline float qsgd_value(uint32_t code, float sigma, float inverse, int32_t s, int32_t *invalid) {
  const int32_t level = (int32_t)(code >> 1);
  *invalid |= level > s;
  const float product = ((float)level * inverse) * sigma;
  const float magnitude = sigma < product ? sigma : product;
  return bits_float(float_bits(magnitude) | code << 31);
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
/* Entry i of a call is coordinate start + i of the vector, in bucket (start + i) / bucket with scale scales[…]. */
#define FOR_EACH_BUCKET(BODY)                                                                   \
  for (int64_t i = 0; i < n;) {                                                                 \
    const int64_t k = (start + i) / bucket, next = (k + 1) * bucket - start, end = next < n ? next : n; \
    const float sigma = scales[k];                                                              \
    BODY                                                                                        \
    i = end;                                                                                    \
  }
#define QSGD_LOOP                                                                                         \
  FOR_EACH_BUCKET(                                                                                        \
    if (sigma > 0) { for (int64_t j = i; j < end; j++) codes[j] = qsgd_code(x[j], u[j], sigma, s, s_minus_one); } \
    else { for (int64_t j = i; j < end; j++) codes[j] = 0; })
#define QSGD_VALUES_LOOP                                                                                   \
  int32_t invalid = 0;                                                                                     \
  FOR_EACH_BUCKET(for (int64_t j = i; j < end; j++) out[j] = qsgd_value(codes[j], sigma, inverse, s, &invalid);) \
  return invalid;
#define MAGNITUDE_BITS_LOOP                                                         \
  for (int64_t k = 0; k * bucket < n; k++) {                                        \
    const int64_t end = (k + 1) * bucket < n ? (k + 1) * bucket : n;               \
    uint32_t largest = 0;                                                           \
    for (int64_t i = k * bucket; i < end; i++) {                                    \
      const uint32_t magnitude = float_bits(x[i]) & 0x7FFFFFFFu;                   \
      largest = magnitude > largest ? magnitude : largest;                          \
    }                                                                               \
    out[k] = largest;                                                               \
  }
#define TERNGRAD_LOOP for (int64_t g = 0; g < groups; g++) out[g] = terngrad_group(x + 5 * g, u + 5 * g, m);

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512cd,avx512bw,avx512vl")))
static void natural_avx512(const float *restrict x, const uint32_t *restrict r, int64_t n, uint32_t *restrict codes) {
  NATURAL_LOOP
}
__attribute__((target("avx512f,avx512cd,avx512bw,avx512vl")))
static void natural_values_avx512(const uint32_t *restrict codes, int64_t n, float *restrict out) { NATURAL_VALUES_LOOP }
__attribute__((target("avx512f,avx512cd,avx512bw,avx512vl")))
static void qsgd_avx512(const float *restrict x, const float *restrict u, int64_t start, int64_t n, int64_t bucket,
                        const float *restrict scales, float s, float s_minus_one, uint32_t *restrict codes) {
  QSGD_LOOP
}
__attribute__((target("avx2")))
static void qsgd_avx2(const float *restrict x, const float *restrict u, int64_t start, int64_t n, int64_t bucket,
                      const float *restrict scales, float s, float s_minus_one, uint32_t *restrict codes) {
  QSGD_LOOP
}
__attribute__((target("avx512f,avx512cd,avx512bw,avx512vl")))
static int32_t qsgd_values_avx512(const uint32_t *restrict codes, int64_t start, int64_t n, int64_t bucket,
    const float *restrict scales, float inverse, int32_t s, float *restrict out) {
  QSGD_VALUES_LOOP
}
__attribute__((target("avx2")))
static int32_t qsgd_values_avx2(const uint32_t *restrict codes, int64_t start, int64_t n, int64_t bucket,
    const float *restrict scales, float inverse, int32_t s, float *restrict out) {
  QSGD_VALUES_LOOP
}
__attribute__((target("avx512f,avx512cd,avx512bw,avx512vl")))
static void magnitude_bits_avx512(const float *restrict x, int64_t n, int64_t bucket, uint32_t *restrict out) {
  MAGNITUDE_BITS_LOOP
}
__attribute__((target("avx2")))
static void magnitude_bits_avx2(const float *restrict x, int64_t n, int64_t bucket, uint32_t *restrict out) {
  MAGNITUDE_BITS_LOOP
}
__attribute__((target("avx512f,avx512cd,avx512bw,avx512vl")))
static void terngrad_avx512(const float *x, const float *u, int64_t groups, float m, uint8_t *out) { TERNGRAD_LOOP }
#endif

static void natural_portable(const float *restrict x, const uint32_t *restrict r, int64_t n, uint32_t *restrict codes) {
  NATURAL_LOOP
}
static void natural_values_portable(const uint32_t *restrict codes, int64_t n, float *restrict out) { NATURAL_VALUES_LOOP }
static void qsgd_portable(const float *restrict x, const float *restrict u, int64_t start, int64_t n, int64_t bucket,
                          const float *restrict scales, float s, float s_minus_one, uint32_t *restrict codes) {
  QSGD_LOOP
}
static int32_t qsgd_values_portable(const uint32_t *restrict codes, int64_t start, int64_t n, int64_t bucket,
    const float *restrict scales, float inverse, int32_t s, float *restrict out) {
  QSGD_VALUES_LOOP
}
static void magnitude_bits_portable(const float *restrict x, int64_t n, int64_t bucket, uint32_t *restrict out) {
  MAGNITUDE_BITS_LOOP
}
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

void hsq_qsgd_codes(const float *restrict x, const float *restrict u, int64_t start, int64_t n, int64_t bucket,
                    const float *restrict scales, float s, float s_minus_one, uint32_t *restrict codes,
                    hsq_kernel_level level) {
  if (bucket < 1) return;
#if defined(__x86_64__)
  if (level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512_bw_cd()) {
    qsgd_avx512(x, u, start, n, bucket, scales, s, s_minus_one, codes);
    return;
  }
  if (level <= HSQ_KERNELS_AVX2 && hsq_cpu_has_avx2_fma()) {
    qsgd_avx2(x, u, start, n, bucket, scales, s, s_minus_one, codes);
    return;
  }
#endif
  (void)level;
  qsgd_portable(x, u, start, n, bucket, scales, s, s_minus_one, codes);
}

int32_t hsq_qsgd_values(const uint32_t *restrict codes, int64_t start, int64_t n, int64_t bucket, const float *restrict scales,
                        float inverse, int32_t s, float *restrict out, hsq_kernel_level level) {
  if (bucket < 1) return 0;
#if defined(__x86_64__)
  if (level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512_bw_cd())
    return qsgd_values_avx512(codes, start, n, bucket, scales, inverse, s, out);
  if (level <= HSQ_KERNELS_AVX2 && hsq_cpu_has_avx2_fma()) return qsgd_values_avx2(codes, start, n, bucket, scales, inverse, s, out);
#endif
  (void)level;
  return qsgd_values_portable(codes, start, n, bucket, scales, inverse, s, out);
}

void hsq_bucket_magnitude_bits(const float *restrict x, int64_t n, int64_t bucket, uint32_t *restrict out,
                               hsq_kernel_level level) {
  if (bucket < 1) return;
#if defined(__x86_64__)
  if (level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512_bw_cd()) {
    magnitude_bits_avx512(x, n, bucket, out);
    return;
  }
  if (level <= HSQ_KERNELS_AVX2 && hsq_cpu_has_avx2_fma()) {
    magnitude_bits_avx2(x, n, bucket, out);
    return;
  }
#endif
  (void)level;
  magnitude_bits_portable(x, n, bucket, out);
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
