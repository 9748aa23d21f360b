/* Float32 ↔ IEEE binary16 in bulk with the F16C / AVX-512F conversions.
 *
 * Encoding multiplies by a power-of-two scale in float (one IEEE multiply, as
 * Swift's `x * scale`) and converts with round-to-nearest-even, which is what
 * Swift's `Float16(Float)` does; decoding widens exactly to float, multiplies
 * by the scale in double and rounds once to float (Swift's
 * `Float(Double(h) * scale)`), saturating to ±FLT_MAX. The conversion
 * instructions never depend on MXCSR's rounding mode here (the rounding is in
 * the immediate), and the default MXCSR keeps subnormals (no DAZ/FTZ).
 */
#include "cpu_features.h"
#include "kernels.h"
#include <float.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#pragma STDC FP_CONTRACT OFF

hsq_kernel_level hsq_half_kernel(hsq_kernel_level level) {
#if defined(__x86_64__)
  const int allowAVX512 = level == HSQ_KERNELS_AUTO || level == HSQ_KERNELS_AVX512;
  const int allowAVX2 = allowAVX512 || level == HSQ_KERNELS_AVX2;
  if (allowAVX512 && hsq_cpu_has_avx512f()) return HSQ_KERNELS_AVX512;
  if (allowAVX2 && hsq_cpu_has_avx2_f16c()) return HSQ_KERNELS_AVX2;
#else
  (void)level;
#endif
  return HSQ_KERNELS_PORTABLE;
}

#if defined(__x86_64__)
#define NEAREST (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

__attribute__((target("avx512f")))
static void to_half_avx512(const float *x, int64_t n, float scale, uint16_t *out) {
  const __m512 s = _mm512_set1_ps(scale);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256i h = _mm512_cvtps_ph(_mm512_mul_ps(_mm512_loadu_ps(x + i), s), NEAREST);
    _mm256_storeu_si256((__m256i *)(out + i), h);
  }
  if (i < n) {
    __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
    __m256i h = _mm512_cvtps_ph(_mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + i), s), NEAREST);
    uint16_t tail[16];
    _mm256_storeu_si256((__m256i *)tail, h);
    for (int64_t j = i; j < n; j++) out[j] = tail[j - i];
  }
}

__attribute__((target("avx2,f16c")))
static void to_half_f16c(const float *x, int64_t n, float scale, uint16_t *out) {
  const __m256 s = _mm256_set1_ps(scale);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m128i h = _mm256_cvtps_ph(_mm256_mul_ps(_mm256_loadu_ps(x + i), s), NEAREST);
    _mm_storeu_si128((__m128i *)(out + i), h);
  }
  if (i < n) {
    float in[8] = {0};
    uint16_t tail[8];
    for (int64_t j = i; j < n; j++) in[j - i] = x[j];
    _mm_storeu_si128((__m128i *)tail, _mm256_cvtps_ph(_mm256_mul_ps(_mm256_loadu_ps(in), s), NEAREST));
    for (int64_t j = i; j < n; j++) out[j] = tail[j - i];
  }
}

/* Nonzero when a half in h[0..<n] is infinite or NaN (all exponent bits set). */
static int any_nonfinite(const uint16_t *h, int64_t n) {
  uint16_t bad = 0;
  for (int64_t i = 0; i < n; i++) bad |= (uint16_t)((h[i] & 0x7C00) == 0x7C00);
  return bad != 0;
}

/* The tail of the vector loops, one half at a time. */
__attribute__((target("f16c")))
static void from_half_scalar(const uint16_t *h, int64_t n, double scale, float *out) {
  for (int64_t i = 0; i < n; i++) {
    uint16_t one[8] = {h[i]};
    float f = _mm_cvtss_f32(_mm_cvtph_ps(_mm_loadu_si128((const __m128i *)one)));
    float y = (float)((double)f * scale);
    out[i] = y > FLT_MAX ? FLT_MAX : (y < -FLT_MAX ? -FLT_MAX : y);
  }
}

__attribute__((target("avx512f")))
static void from_half_avx512(const uint16_t *h, int64_t n, double scale, float *out) {
  const __m512d s = _mm512_set1_pd(scale);
  const __m256 hi = _mm256_set1_ps(FLT_MAX), lo = _mm256_set1_ps(-FLT_MAX);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 f = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + i)));
    __m256 y = _mm512_cvtpd_ps(_mm512_mul_pd(_mm512_cvtps_pd(f), s));
    _mm256_storeu_ps(out + i, _mm256_min_ps(_mm256_max_ps(y, lo), hi));
  }
  from_half_scalar(h + i, n - i, scale, out + i);
}

__attribute__((target("avx2,f16c")))
static void from_half_f16c(const uint16_t *h, int64_t n, double scale, float *out) {
  const __m256d s = _mm256_set1_pd(scale);
  const __m128 hi = _mm_set1_ps(FLT_MAX), lo = _mm_set1_ps(-FLT_MAX);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    __m128 f = _mm_cvtph_ps(_mm_loadl_epi64((const __m128i *)(h + i)));
    __m128 y = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(f), s));
    _mm_storeu_ps(out + i, _mm_min_ps(_mm_max_ps(y, lo), hi));
  }
  from_half_scalar(h + i, n - i, scale, out + i);
}
#endif

int hsq_float_to_half(const float *x, int64_t n, float scale, uint16_t *out, hsq_kernel_level level) {
#if defined(__x86_64__)
  switch (hsq_half_kernel(level)) {
  case HSQ_KERNELS_AVX512: to_half_avx512(x, n, scale, out); return 1;
  case HSQ_KERNELS_AVX2: to_half_f16c(x, n, scale, out); return 1;
  default: break;
  }
#else
  (void)x; (void)n; (void)scale; (void)out; (void)level;
#endif
  return 0;
}

int hsq_half_to_float(const uint16_t *h, int64_t n, double scale, float *out, int32_t *nonfinite,
                      hsq_kernel_level level) {
#if defined(__x86_64__)
  switch (hsq_half_kernel(level)) {
  case HSQ_KERNELS_AVX512: from_half_avx512(h, n, scale, out); break;
  case HSQ_KERNELS_AVX2: from_half_f16c(h, n, scale, out); break;
  default: return 0;
  }
  *nonfinite = any_nonfinite(h, n);
  return 1;
#else
  (void)h; (void)n; (void)scale; (void)out; (void)nonfinite; (void)level;
  return 0;
#endif
}
