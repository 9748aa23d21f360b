/* Sums of squares in double, with the lane structure of hsq's Swift `Vec` reductions.
 *
 * Swift code in hsq is compiled for baseline x86-64 (SSE2), where widening
 * Float to Double and summing takes about ten instructions per entry; these
 * AVX-512 versions give the same result bit for bit: sixteen Double lanes
 * (two vectors of eight, lane j of vector a summing entries 16t + 8a + j in
 * order), the two vectors added lane-wise, the eight lanes summed in index
 * order starting from −0.0 (Swift's SIMD `sum()`), then the tail entries one
 * by one. Every operation is a separate IEEE add or multiply (intrinsics are
 * never contracted into FMAs).
 */
#include "kernels.h"
#include "cpu_features.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* Swift never fuses a multiply and an add; neither may these loops (clang contracts C expressions by default). */
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__)
/* No switch turns these off: the tests compare these kernels with their Swift forms directly. */
/* In a public entry point: runs the AVX-512 kernel `call` and returns 1 when the CPU has AVX-512. */
#define RUN_AVX512(call)       \
  do {                         \
    if (hsq_cpu_has_avx512f_vl()) { \
      call;                    \
      return 1;                \
    }                          \
  } while (0)
#else
#define RUN_AVX512(call) \
  do {                   \
  } while (0)
#endif

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static double lanes_sum(__m512d a, __m512d b) {
  double lanes[8];
  _mm512_storeu_pd(lanes, _mm512_add_pd(a, b));
  double total = -0.0;
  for (int j = 0; j < 8; j++) total += lanes[j];
  return total;
}

__attribute__((target("avx512f")))
static void sums_avx512(const float *x, const float *y, int64_t n, double *norm, double *distance, float *diff) {
  __m512d n0 = _mm512_setzero_pd(), n1 = _mm512_setzero_pd(), d0 = _mm512_setzero_pd(), d1 = _mm512_setzero_pd();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512d x0 = _mm512_cvtps_pd(_mm256_loadu_ps(x + i)), x1 = _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 8));
    n0 = _mm512_add_pd(n0, _mm512_mul_pd(x0, x0));
    n1 = _mm512_add_pd(n1, _mm512_mul_pd(x1, x1));
    if (y) {
      __m256 y0 = _mm256_loadu_ps(y + i), y1 = _mm256_loadu_ps(y + i + 8);
      if (diff) {
        _mm256_storeu_ps(diff + i, _mm256_sub_ps(_mm256_loadu_ps(x + i), y0));
        _mm256_storeu_ps(diff + i + 8, _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), y1));
      }
      __m512d e0 = _mm512_sub_pd(_mm512_cvtps_pd(y0), x0);
      __m512d e1 = _mm512_sub_pd(_mm512_cvtps_pd(y1), x1);
      d0 = _mm512_add_pd(d0, _mm512_mul_pd(e0, e0));
      d1 = _mm512_add_pd(d1, _mm512_mul_pd(e1, e1));
    }
  }
  double nsum = lanes_sum(n0, n1), dsum = lanes_sum(d0, d1);
  for (; i < n; i++) {
    double a = (double)x[i];
    nsum += a * a;
    if (y) {
      double e = (double)y[i] - a;
      dsum += e * e;
      if (diff) diff[i] = x[i] - y[i];
    }
  }
  *norm = nsum;
  if (distance) *distance = dsum;
}
#endif

int hsq_sums_of_squares(const float *x, const float *y, int64_t n, double *norm, double *distance) {
  RUN_AVX512(sums_avx512(x, y, n, norm, distance, NULL));
  (void)x; (void)y; (void)n; (void)norm; (void)distance;
  return 0;
}

int hsq_sums_of_squares_and_difference(const float *x, const float *y, int64_t n, double *norm, double *distance,
                                       float *difference) {
  RUN_AVX512(sums_avx512(x, y, n, norm, distance, difference));
  (void)x; (void)y; (void)n; (void)norm; (void)distance; (void)difference;
  return 0;
}

/* The HSQ scalar quantizer's levels, as ScalarQuantizer.quantize computes them:
 * x = (double(u) − lo)·scale, l = min(trunc(x), s − 1), level = l + (double(draw) < x − l).
 * The same IEEE operations on each entry, eight at a time. */
#if defined(__x86_64__)
__attribute__((target("avx512f,avx512vl")))
static void levels_avx512(const float *u, const float *draws, int64_t n, double lo, double scale, int32_t s,
                          uint32_t *levels) {
  const __m512d vlo = _mm512_set1_pd(lo), vscale = _mm512_set1_pd(scale);
  const __m256i top = _mm256_set1_epi32(s - 1), one = _mm256_set1_epi32(1);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    __m512d x = _mm512_mul_pd(_mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(u + j)), vlo), vscale);
    __m256i l = _mm256_min_epi32(_mm512_cvttpd_epi32(x), top);
    __m512d p = _mm512_sub_pd(x, _mm512_cvtepi32_pd(l));
    __mmask8 up = _mm512_cmp_pd_mask(_mm512_cvtps_pd(_mm256_loadu_ps(draws + j)), p, _CMP_LT_OQ);
    _mm256_storeu_si256((__m256i *)(levels + j), _mm256_mask_add_epi32(l, up, l, one));
  }
  for (; j < n; j++) {
    double x = ((double)u[j] - lo) * scale;
    int64_t l = (int64_t)x;
    if (l > s - 1) l = s - 1;
    double p = x - (double)l;
    levels[j] = (uint32_t)(l + ((double)draws[j] < p ? 1 : 0));
  }
}
#endif

int hsq_quantize_levels(const float *u, const float *draws, int64_t n, double lo, double scale, int32_t s,
                        uint32_t *levels) {
  RUN_AVX512(levels_avx512(u, draws, n, lo, scale, s, levels));
  (void)u; (void)draws; (void)n; (void)lo; (void)scale; (void)s; (void)levels;
  return 0;
}

/* out[16m + j] = u[m]·C[16·idx[m] + j] for m < rows: HSQ's reconstruction of full 16-dim sub-vectors. */
#if defined(__x86_64__)
__attribute__((target("avx512f")))
static void scale_rows16_avx512(const float *C, const int32_t *idx, const float *u, int64_t rows, float *out) {
  for (int64_t m = 0; m < rows; m++) {
    __m512 c = _mm512_loadu_ps(C + (int64_t)idx[m] * 16);
    _mm512_storeu_ps(out + m * 16, _mm512_mul_ps(_mm512_set1_ps(u[m]), c));
  }
}
#endif

int hsq_scale_rows16(const float *C, const int32_t *idx, const float *u, int64_t rows, float *out) {
  RUN_AVX512(scale_rows16_avx512(C, idx, u, rows, out));
  (void)C; (void)idx; (void)u; (void)rows; (void)out;
  return 0;
}

/* The server's mean, fused with the SGD step: see kernels.h. */
#if defined(__x86_64__)
__attribute__((target("avx512f")))
static void mean_avx512(const float *const *sources, int32_t count, float scale, float *out, int64_t n) {
  const __m512 s = _mm512_set1_ps(scale);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512 acc = _mm512_setzero_ps();
    for (int32_t w = 0; w < count; w++) acc = _mm512_add_ps(acc, _mm512_mul_ps(s, _mm512_loadu_ps(sources[w] + i)));
    _mm512_storeu_ps(out + i, acc);
  }
  for (; i < n; i++) {
    float acc = 0.0f;
    for (int32_t w = 0; w < count; w++) acc = acc + scale * sources[w][i];
    out[i] = acc;
  }
}

__attribute__((target("avx512f")))
static void update_avx512(const float *g, const float *x, const float *v, float *x_out, float *v_out, int64_t n, float rate,
                          float decay, float momentum) {
  const __m512 r = _mm512_set1_ps(rate), l = _mm512_set1_ps(decay), m = _mm512_set1_ps(momentum);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512 xi = _mm512_loadu_ps(x + i);
    __m512 vi = _mm512_add_ps(_mm512_mul_ps(m, _mm512_loadu_ps(v + i)), _mm512_add_ps(_mm512_loadu_ps(g + i), _mm512_mul_ps(l, xi)));
    _mm512_storeu_ps(v_out + i, vi);
    _mm512_storeu_ps(x_out + i, _mm512_sub_ps(xi, _mm512_mul_ps(r, vi)));
  }
  for (; i < n; i++) {
    const float vi = momentum * v[i] + (g[i] + decay * x[i]);
    v_out[i] = vi;
    x_out[i] = x[i] - rate * vi;
  }
}
#endif

int hsq_mean_of(const float *const *sources, int32_t count, float scale, float *out, int64_t n) {
  RUN_AVX512(mean_avx512(sources, count, scale, out, n));
  (void)sources; (void)count; (void)scale; (void)out; (void)n;
  return 0;
}

/* The mean of decoded codeword rows without writing them (hsq_mean_of_rows): entry i of source w is the product
 * scalars[w][m]·C[indices[w][m]·D + j] (i = m·D + j), summed as mean_avx512 sums a written vector. */
#if defined(__x86_64__)
__attribute__((target("avx512f")))
static void mean_of_rows16_avx512(const float *C, const int32_t *const *indices, const float *const *scalars, int32_t count,
                                  float scale, float *out, int64_t m0, int64_t m1, int64_t n, int continuing) {
  const __m512 s = _mm512_set1_ps(scale);
  for (int64_t m = m0; m < m1; m++) {
    const int64_t base = 16 * m, width = n - base < 16 ? n - base : 16;
    const __mmask16 lanes = (__mmask16)((1u << width) - 1);
    __m512 acc = continuing ? _mm512_maskz_loadu_ps(lanes, out + base) : _mm512_setzero_ps();
    for (int32_t w = 0; w < count; w++) {
      const __m512 x = _mm512_mul_ps(_mm512_set1_ps(scalars[w][m]), _mm512_loadu_ps(C + 16 * (int64_t)indices[w][m]));
      acc = _mm512_add_ps(acc, _mm512_mul_ps(s, x));
    }
    _mm512_mask_storeu_ps(out + base, lanes, acc);
  }
}
#endif

#if defined(__x86_64__)
/* mean_of_rows16_avx512 with AVX2: a row's sixteen entries in two vectors of eight, the same operations on each. */
__attribute__((target("avx2")))
static void mean_of_rows16_avx2(const float *C, const int32_t *const *indices, const float *const *scalars, int32_t count,
                                float scale, float *out, int64_t m0, int64_t m1, int64_t n, int continuing) {
  const __m256 s = _mm256_set1_ps(scale);
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (int64_t m = m0; m < m1; m++) {
    const int64_t base = 16 * m, width = n - base < 16 ? n - base : 16;
    __m256i mask[2];
    __m256 acc[2];
    for (int h = 0; h < 2; h++) {
      mask[h] = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)(width - 8 * h)), lane);
      acc[h] = continuing ? _mm256_maskload_ps(out + base + 8 * h, mask[h]) : _mm256_setzero_ps();
    }
    for (int32_t w = 0; w < count; w++) {
      const float *c = C + 16 * (int64_t)indices[w][m];
      const __m256 u = _mm256_set1_ps(scalars[w][m]);
      for (int h = 0; h < 2; h++)
        acc[h] = _mm256_add_ps(acc[h], _mm256_mul_ps(s, _mm256_mul_ps(u, _mm256_loadu_ps(c + 8 * h))));
    }
    for (int h = 0; h < 2; h++) _mm256_maskstore_ps(out + base + 8 * h, mask[h], acc[h]);
  }
}
#endif

void hsq_mean_of_rows(const float *C, int32_t D, const int32_t *const *indices, const float *const *scalars, int32_t count,
                      float scale, float *out, int64_t m0, int64_t m1, int64_t n, int continuing, hsq_kernel_level level) {
#if defined(__x86_64__)
  if (D == 16 && level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512f()) {
    mean_of_rows16_avx512(C, indices, scalars, count, scale, out, m0, m1, n, continuing);
    return;
  }
  if (D == 16 && level <= HSQ_KERNELS_AVX2 && hsq_cpu_has_avx2_fma()) {
    mean_of_rows16_avx2(C, indices, scalars, count, scale, out, m0, m1, n, continuing);
    return;
  }
#else
  (void)level;
#endif
  for (int64_t m = m0; m < m1; m++) {
    const int64_t base = (int64_t)D * m, width = n - base < D ? n - base : D;
    for (int64_t j = 0; j < width; j++) {
      float acc = continuing ? out[base + j] : 0.0f;
      for (int32_t w = 0; w < count; w++) {
        const float x = scalars[w][m] * C[(int64_t)D * indices[w][m] + j];
        acc = acc + scale * x;
      }
      out[base + j] = acc;
    }
  }
}

#if defined(__x86_64__)
/* The rows kernels' last entries, past the last full block of sixteen, one at a time after the lanes' sums. */
static void rows16_finish(const float *x, const float *C, const int32_t *idx, const float *u, int64_t i, int64_t n,
                          double nsum, double dsum, float *diff, double *norm, double *distance) {
  for (; i < n; i++) {
    const float q = u[i / 16] * C[16 * (int64_t)idx[i / 16] + i % 16];
    const double a = (double)x[i], e = (double)q - a;
    nsum += a * a;
    dsum += e * e;
    if (diff) diff[i] = x[i] - q;
  }
  *norm = nsum;
  *distance = dsum;
}

/* hsq_rows_sums_of_squares: sums_avx512 over x and the decoded rows q, q's products made in the register.
 * With D = 16, entries 16m…16m + 15 of a full block are sub-vector m, so a block's q is one row times its scalar. */
__attribute__((target("avx512f")))
static void rows_sums16_avx512(const float *x, const float *C, const int32_t *idx, const float *u, int64_t n,
                               double *norm, double *distance, float *diff) {
  __m512d n0 = _mm512_setzero_pd(), n1 = _mm512_setzero_pd(), d0 = _mm512_setzero_pd(), d1 = _mm512_setzero_pd();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const float *c = C + 16 * (int64_t)idx[i / 16];
    const __m256 s = _mm256_set1_ps(u[i / 16]);
    const __m256 xa = _mm256_loadu_ps(x + i), xb = _mm256_loadu_ps(x + i + 8);
    const __m256 qa = _mm256_mul_ps(s, _mm256_loadu_ps(c)), qb = _mm256_mul_ps(s, _mm256_loadu_ps(c + 8));
    if (diff) {
      _mm256_storeu_ps(diff + i, _mm256_sub_ps(xa, qa));
      _mm256_storeu_ps(diff + i + 8, _mm256_sub_ps(xb, qb));
    }
    const __m512d x0 = _mm512_cvtps_pd(xa), x1 = _mm512_cvtps_pd(xb);
    n0 = _mm512_add_pd(n0, _mm512_mul_pd(x0, x0));
    n1 = _mm512_add_pd(n1, _mm512_mul_pd(x1, x1));
    const __m512d e0 = _mm512_sub_pd(_mm512_cvtps_pd(qa), x0), e1 = _mm512_sub_pd(_mm512_cvtps_pd(qb), x1);
    d0 = _mm512_add_pd(d0, _mm512_mul_pd(e0, e0));
    d1 = _mm512_add_pd(d1, _mm512_mul_pd(e1, e1));
  }
  double nsum = lanes_sum(n0, n1), dsum = lanes_sum(d0, d1);
  rows16_finish(x, C, idx, u, i, n, nsum, dsum, diff, norm, distance);
}

/* The same sums with AVX2: the sixteen double lanes as four vectors of four (entries 16t + 4a + j), each lane's
 * operations as in rows_sums16_avx512, the lanes added pairwise j and j + 8 and summed as lanes_sum sums them. */
__attribute__((target("avx2")))
static void rows_sums16_avx2(const float *x, const float *C, const int32_t *idx, const float *u, int64_t n,
                             double *norm, double *distance, float *diff) {
  __m256d nl[4], dl[4];
  for (int a = 0; a < 4; a++) nl[a] = dl[a] = _mm256_setzero_pd();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const float *c = C + 16 * (int64_t)idx[i / 16];
    const __m256 s = _mm256_set1_ps(u[i / 16]);
    const __m256 xv[2] = {_mm256_loadu_ps(x + i), _mm256_loadu_ps(x + i + 8)};
    const __m256 qv[2] = {_mm256_mul_ps(s, _mm256_loadu_ps(c)), _mm256_mul_ps(s, _mm256_loadu_ps(c + 8))};
    if (diff) {
      _mm256_storeu_ps(diff + i, _mm256_sub_ps(xv[0], qv[0]));
      _mm256_storeu_ps(diff + i + 8, _mm256_sub_ps(xv[1], qv[1]));
    }
    for (int a = 0; a < 4; a++) {
      const __m128 xh = a % 2 ? _mm256_extractf128_ps(xv[a / 2], 1) : _mm256_castps256_ps128(xv[a / 2]);
      const __m128 qh = a % 2 ? _mm256_extractf128_ps(qv[a / 2], 1) : _mm256_castps256_ps128(qv[a / 2]);
      const __m256d xd = _mm256_cvtps_pd(xh), e = _mm256_sub_pd(_mm256_cvtps_pd(qh), xd);
      nl[a] = _mm256_add_pd(nl[a], _mm256_mul_pd(xd, xd));
      dl[a] = _mm256_add_pd(dl[a], _mm256_mul_pd(e, e));
    }
  }
  double nv[16], dv[16];
  for (int a = 0; a < 4; a++) {
    _mm256_storeu_pd(nv + 4 * a, nl[a]);
    _mm256_storeu_pd(dv + 4 * a, dl[a]);
  }
  double nsum = -0.0, dsum = -0.0;
  for (int j = 0; j < 8; j++) {
    nsum += nv[j] + nv[j + 8];
    dsum += dv[j] + dv[j + 8];
  }
  rows16_finish(x, C, idx, u, i, n, nsum, dsum, diff, norm, distance);
}
#endif

void hsq_rows_sums_of_squares(const float *x, const float *C, int32_t D, const int32_t *idx, const float *u, int64_t n,
                              double *norm, double *distance, float *difference, hsq_kernel_level level) {
#if defined(__x86_64__)
  if (D == 16 && level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512f()) {
    rows_sums16_avx512(x, C, idx, u, n, norm, distance, difference);
    return;
  }
  if (D == 16 && level <= HSQ_KERNELS_AVX2 && hsq_cpu_has_avx2_fma()) {
    rows_sums16_avx2(x, C, idx, u, n, norm, distance, difference);
    return;
  }
#else
  (void)level;
#endif
  /* The Swift reduction's sixteen lanes (entries 16t + j, e < full), added pairwise j and j + 8 and summed from
   * −0.0, then the tail entries in order. Sub-vector by sub-vector, so each lane still sums its entries in order. */
  const int64_t full = n / 16 * 16;
  double nl[16] = {0}, dl[16] = {0};
  float tail[16];
  for (int64_t m = 0, base = 0; base < n; m++, base += D) {
    const float *c = C + (int64_t)D * idx[m];
    const int64_t width = n - base < D ? n - base : D;
    for (int64_t j = 0; j < width; j++) {
      const int64_t e = base + j;
      const float q = u[m] * c[j];
      if (difference) difference[e] = x[e] - q;
      if (e < full) {
        const double a = (double)x[e], d = (double)q - a;
        nl[e & 15] += a * a;
        dl[e & 15] += d * d;
      } else {
        tail[e - full] = q;
      }
    }
  }
  double nsum = -0.0, dsum = -0.0;
  for (int j = 0; j < 8; j++) {
    nsum += nl[j] + nl[j + 8];
    dsum += dl[j] + dl[j + 8];
  }
  for (int64_t e = full; e < n; e++) {
    const double a = (double)x[e], d = (double)tail[e - full] - a;
    nsum += a * a;
    dsum += d * d;
  }
  *norm = nsum;
  *distance = dsum;
}

int hsq_sgd_update(const float *g, const float *x, const float *v, float *x_out, float *v_out, int64_t n, float rate,
                   float decay, float momentum) {
  RUN_AVX512(update_avx512(g, x, v, x_out, v_out, n, rate, decay, momentum));
  (void)g; (void)x; (void)v; (void)x_out; (void)v_out; (void)n; (void)rate; (void)decay; (void)momentum;
  return 0;
}

/* y ← y + α·x and out ← x − y, as Vec.axpy and Vec.difference (each operation rounded separately). */
#if defined(__x86_64__)
__attribute__((target("avx512f")))
static void axpy_avx512(float alpha, const float *x, const float *y, float *out, int64_t n) {
  const __m512 a = _mm512_set1_ps(alpha);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(out + i, _mm512_add_ps(_mm512_loadu_ps(y + i), _mm512_mul_ps(a, _mm512_loadu_ps(x + i))));
  for (; i < n; i++) out[i] = y[i] + alpha * x[i];
}

__attribute__((target("avx512f")))
static void difference_avx512(const float *x, const float *y, float *out, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, _mm512_sub_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
  for (; i < n; i++) out[i] = x[i] - y[i];
}
#endif

int hsq_axpy(float alpha, const float *x, float *y, int64_t n) {
  RUN_AVX512(axpy_avx512(alpha, x, y, y, n));
  (void)alpha; (void)x; (void)y; (void)n;
  return 0;
}

int hsq_axpy_to(float alpha, const float *x, const float *y, float *out, int64_t n) {
  RUN_AVX512(axpy_avx512(alpha, x, y, out, n));
  (void)alpha; (void)x; (void)y; (void)out; (void)n;
  return 0;
}

int hsq_difference(const float *x, const float *y, float *out, int64_t n) {
  RUN_AVX512(difference_avx512(x, y, out, n));
  (void)x; (void)y; (void)out; (void)n;
  return 0;
}

#if defined(__x86_64__)
/* Magnitudes as bits (|x| clears the sign; as integers they order as the floats do, ∞ included); NaN
 * (bits above 0x7F800000) counts as 0, as Swift's max(m, |x|) never takes a NaN. */
__attribute__((target("avx512f")))
static float norm_inf_avx512(const float *x, int64_t n) {
  const __m512i signless = _mm512_set1_epi32(0x7FFFFFFF), infinity = _mm512_set1_epi32(0x7F800000);
  __m512i m0 = _mm512_setzero_si512(), m1 = _mm512_setzero_si512();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m512i a = _mm512_and_si512(_mm512_loadu_si512(x + i), signless);
    __m512i b = _mm512_and_si512(_mm512_loadu_si512(x + i + 16), signless);
    m0 = _mm512_mask_max_epi32(m0, _mm512_cmple_epi32_mask(a, infinity), m0, a);
    m1 = _mm512_mask_max_epi32(m1, _mm512_cmple_epi32_mask(b, infinity), m1, b);
  }
  int32_t m = _mm512_reduce_max_epi32(_mm512_max_epi32(m0, m1));
  for (; i < n; i++) {
    int32_t bits;
    __builtin_memcpy(&bits, x + i, 4);
    bits &= 0x7FFFFFFF;
    if (bits <= 0x7F800000 && bits > m) m = bits;
  }
  float result;
  __builtin_memcpy(&result, &m, 4);
  return result;
}
#endif

#if defined(__x86_64__)
/* Sixty-four entries a step: an entry is not finite when its exponent bits are all set; the first such entry is
 * looked for only in the block that has one. */
__attribute__((target("avx512f")))
static int64_t first_non_finite_avx512(const float *x, int64_t n) {
  const __m512i exponent = _mm512_set1_epi32(0x7F800000);
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    __mmask16 bad = 0;
    for (int j = 0; j < 4; j++) {
      const __m512i e = _mm512_and_si512(_mm512_loadu_si512(x + i + 16 * j), exponent);
      bad |= _mm512_cmpeq_epi32_mask(e, exponent);
    }
    if (bad) break;
  }
  for (; i < n; i++) {
    uint32_t bits;
    __builtin_memcpy(&bits, x + i, 4);
    if ((bits & 0x7F800000u) == 0x7F800000u) return i;
  }
  return -1;
}

/* Copies x to out, 64 entries a round, testing their exponents as first_non_finite_avx512 does; 1 when all are finite. */
__attribute__((target("avx512f")))
static int copy_checking_finite_avx512(const float *x, int64_t n, void *out) {
  const __m512i exponent = _mm512_set1_epi32(0x7F800000);
  char *bytes = out;
  __mmask16 bad = 0;
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    for (int j = 0; j < 4; j++) {
      const __m512i v = _mm512_loadu_si512(x + i + 16 * j);
      _mm512_storeu_si512(bytes + 4 * (i + 16 * j), v);
      bad |= _mm512_cmpeq_epi32_mask(_mm512_and_si512(v, exponent), exponent);
    }
  }
  for (; i < n; i += 16) {
    const __mmask16 live = (__mmask16)(n - i >= 16 ? 0xFFFF : (1u << (n - i)) - 1);
    const __m512i v = _mm512_maskz_loadu_epi32(live, x + i);
    _mm512_mask_storeu_epi32(bytes + 4 * i, live, v);
    bad |= _mm512_mask_cmpeq_epi32_mask(live, _mm512_and_si512(v, exponent), exponent);
  }
  return bad == 0;
}

/* The least and greatest values over the entries that are not NaN, then the entry whose bits Swift's loop keeps:
 * a non-zero value has one bit pattern; a zero is the first zero (lo) or the last (hi). */
__attribute__((target("avx512f")))
static void range_avx512(const float *x, int64_t n, float *lo, float *hi) {
  if (x[0] != x[0]) {
    *lo = *hi = x[0];
    return;
  }
  __m512 mn = _mm512_set1_ps(x[0]), mx = mn;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_loadu_ps(x + i);
    const __mmask16 ordered = _mm512_cmp_ps_mask(v, v, _CMP_ORD_Q);
    mn = _mm512_mask_min_ps(mn, ordered, mn, v);
    mx = _mm512_mask_max_ps(mx, ordered, mx, v);
  }
  float least = _mm512_reduce_min_ps(mn), greatest = _mm512_reduce_max_ps(mx);
  for (; i < n; i++) {
    if (x[i] < least) least = x[i];
    if (x[i] > greatest) greatest = x[i];
  }
  if (least == 0) {
    for (int64_t j = 0; j < n; j++) if (x[j] == 0) { least = x[j]; break; }
  }
  if (greatest == 0) {
    for (int64_t j = n - 1; j >= 0; j--) if (x[j] == 0) { greatest = x[j]; break; }
  }
  *lo = least;
  *hi = greatest;
}

__attribute__((target("avx512f")))
static double norm1_avx512(const float *x, int64_t n) {
  const __m256 signless = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  __m512d a0 = _mm512_setzero_pd(), a1 = _mm512_setzero_pd();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    a0 = _mm512_add_pd(a0, _mm512_cvtps_pd(_mm256_and_ps(_mm256_loadu_ps(x + i), signless)));
    a1 = _mm512_add_pd(a1, _mm512_cvtps_pd(_mm256_and_ps(_mm256_loadu_ps(x + i + 8), signless)));
  }
  double total = lanes_sum(a0, a1);
  for (; i < n; i++) total += (double)__builtin_fabsf(x[i]);
  return total;
}
#endif

int hsq_norm1(const float *x, int64_t n, double *norm) {
  RUN_AVX512(*norm = norm1_avx512(x, n));
  (void)x; (void)n; (void)norm;
  return 0;
}

int hsq_norm_inf(const float *x, int64_t n, float *norm) {
  RUN_AVX512(*norm = norm_inf_avx512(x, n));
  (void)x; (void)n; (void)norm;
  return 0;
}

int hsq_first_non_finite(const float *x, int64_t n, int64_t *index) {
  RUN_AVX512(*index = first_non_finite_avx512(x, n));
  (void)x; (void)n; (void)index;
  return 0;
}

int hsq_copy_checking_finite(const float *x, int64_t n, void *out, int32_t *finite) {
  RUN_AVX512(*finite = copy_checking_finite_avx512(x, n, out));
  (void)x; (void)n; (void)out; (void)finite;
  return 0;
}

int hsq_range(const float *x, int64_t n, float *lo, float *hi) {
  if (n < 1) return 0;
  RUN_AVX512(range_avx512(x, n, lo, hi));
  (void)x; (void)lo; (void)hi;
  return 0;
}
