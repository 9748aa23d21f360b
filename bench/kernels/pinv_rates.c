/* Where unbiased HSQ's coefficient kernel stands against this core's multiply-add peak.
 *
 * Unbiased HSQ computes, per sub-vector v (D = 16) and codeword k (K = 256), a_k = P_k · v, then the running
 * sums of |a_k| in double. hsq's kernel (Sources/CKernels/pinv.c) runs sixteen sub-vectors side by side, one per
 * vector lane, each product and sum rounded separately. This program times, per codeword of sixteen sub-vectors:
 *   1. the products alone, a multiply and an add per entry (hsq's rounding);
 *   2. the same with fused multiply-adds (half the instructions, other last bits);
 *   3. and 4. both with the double running sums hsq's sampling needs;
 * and OpenBLAS's sgemm on one core, as the rate a tuned library reaches on this CPU. If (2) is no faster
 * than (1), the products are bound by the multiply units, not by instruction count, and FMA cannot help.
 *
 *   clang -O2 -o /tmp/pinv_rates bench/kernels/pinv_rates.c -lopenblas
 *   OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE= /tmp/pinv_rates
 *
 * x86-64 with AVX-512F only; the figures are minima of 20 passes over 6,272 sub-vectors. */
#include <cblas.h>
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#pragma STDC FP_CONTRACT OFF
#define K 256
#define D 16
#define ROWS 6272
#define FLIGHT 8

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* One block of sixteen sub-vectors: a (K×16 floats) and, with `sums`, the running sums (K×16 doubles). */
__attribute__((target("avx512f"), always_inline)) static inline void block(const float *P, const float *V, float *a,
                                                                            double *prefix, const int fused, const int sums) {
  __m512 vT[D];
  for (int j = 0; j < D; j++) {
    float column[16];
    for (int r = 0; r < 16; r++) column[r] = V[r * D + j];
    vT[j] = _mm512_loadu_ps(column);
  }
  __m512d low = _mm512_setzero_pd(), high = _mm512_setzero_pd();
  for (int k = 0; k < K; k += FLIGHT) {
    const float *row = P + k * D;
    __m512 acc[FLIGHT];
    for (int c = 0; c < FLIGHT; c++) acc[c] = _mm512_setzero_ps();
#pragma GCC unroll 16
    for (int j = 0; j < D; j++)
#pragma GCC unroll 8
      for (int c = 0; c < FLIGHT; c++)
        acc[c] = fused ? _mm512_fmadd_ps(_mm512_set1_ps(row[c * D + j]), vT[j], acc[c])
                       : _mm512_add_ps(acc[c], _mm512_mul_ps(_mm512_set1_ps(row[c * D + j]), vT[j]));
    for (int c = 0; c < FLIGHT; c++) {
      _mm512_storeu_ps(a + (k + c) * 16, acc[c]);
      if (!sums) continue;
      const __m512 m = _mm512_abs_ps(acc[c]);
      low = _mm512_add_pd(low, _mm512_cvtps_pd(_mm512_castps512_ps256(m)));
      high = _mm512_add_pd(high, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(m), 1))));
      _mm512_storeu_pd(prefix + (k + c) * 16, low);
      _mm512_storeu_pd(prefix + (k + c) * 16 + 8, high);
    }
  }
}

#define VARIANT(name, fused, sums)                                                                                   \
  __attribute__((target("avx512f"))) static void name(const float *P, const float *V, float *a, double *prefix) { \
    for (int b = 0; b < ROWS / 16; b++) block(P, V + b * 16 * D, a, prefix, fused, sums);                         \
  }
VARIANT(products, 0, 0)
VARIANT(products_fused, 1, 0)
VARIANT(products_sums, 0, 1)
VARIANT(products_fused_sums, 1, 1)

int main(void) {
  if (!__builtin_cpu_supports("avx512f")) {
    fprintf(stderr, "pinv_rates: this CPU has no AVX-512F\n");
    return 1;
  }
  float *P = malloc(sizeof(float) * K * D), *V = malloc(sizeof(float) * ROWS * D), *a = malloc(sizeof(float) * K * 16);
  double *prefix = malloc(sizeof(double) * K * 16);
  srand(1);
  for (int i = 0; i < K * D; i++) P[i] = (float)(rand() / (double)RAND_MAX - 0.5);
  for (int i = 0; i < ROWS * D; i++) V[i] = (float)(rand() / (double)RAND_MAX - 0.5);
  const struct { const char *name; void (*run)(const float *, const float *, float *, double *); } variants[] = {
      {"products, multiply + add (hsq)", products},
      {"products, fused multiply-add", products_fused},
      {"products + double running sums (hsq)", products_sums},
      {"fused products + double running sums", products_fused_sums},
  };
  for (int v = 0; v < 4; v++) {
    double best = 1e9;
    for (int pass = 0; pass < 20; pass++) {
      const double t = seconds();
      variants[v].run(P, V, a, prefix);
      const double s = seconds() - t;
      if (s < best) best = s;
    }
    const double perCodeword = best / (ROWS / 16) / K;
    printf("%-40s %5.2f ns per codeword of 16 sub-vectors, %5.1f G multiply-adds/s\n", variants[v].name,
           perCodeword * 1e9, 16.0 * D / perCodeword / 1e9);
  }
  const int n = 1024;
  float *A = malloc(sizeof(float) * n * n), *B = malloc(sizeof(float) * n * n), *C = malloc(sizeof(float) * n * n);
  for (int i = 0; i < n * n; i++) A[i] = B[i] = (float)(rand() / (double)RAND_MAX);
  double best = 1e9;
  for (int pass = 0; pass < 10; pass++) {
    const double t = seconds();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, A, n, B, n, 0, C, n);
    const double s = seconds() - t;
    if (s < best) best = s;
  }
  printf("%-40s %5.1f G multiply-adds/s (OpenBLAS %s)\n", "sgemm 1024 x 1024 x 1024, one thread", (double)n * n * n / best / 1e9,
         openblas_get_corename());
  return 0;
}
