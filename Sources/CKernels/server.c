/* The parameter server's per-element passes, vectorized for the CPU found at run time.
 *
 * Each element is computed with exactly the operations of the scalar Swift code it
 * replaces (no FMA contraction, no reassociation), so every path gives the same bits.
 */
#pragma clang fp contract(off)
#include "kernels.h"

static int server_level(void) {
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

/* out[i] = (((0 + s·x₀[i]) + s·x₁[i]) + …) for i in [lo, hi), in blocks that stay in L1. */
static inline __attribute__((always_inline)) void mean_body(const float *const *x, int32_t count, float s,
                                                            int64_t lo, int64_t hi, float *restrict out) {
  for (int64_t b = lo; b < hi; b += 2048) {
    const int64_t e = hi - b < 2048 ? hi : b + 2048;
    for (int64_t i = b; i < e; i++) out[i] = 0.0f;
    for (int32_t w = 0; w < count; w++) {
      const float *xw = x[w];
      for (int64_t i = b; i < e; i++) out[i] = out[i] + s * xw[i];
    }
  }
}

/* v ← m·v + (g + λx),  x ← x − η·v. */
static inline __attribute__((always_inline)) void sgd_body(float *restrict x, float *restrict v, const float *restrict g, int64_t lo, int64_t hi,
                                                           float m, float decay, float rate) {
  for (int64_t i = lo; i < hi; i++) {
    float vi = m * v[i] + (g[i] + decay * x[i]);
    v[i] = vi;
    x[i] = x[i] - rate * vi;
  }
}

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static void mean_avx512(const float *const *x, int32_t count, float s, int64_t lo, int64_t hi, float *out) {
  mean_body(x, count, s, lo, hi, out);
}
__attribute__((target("avx2")))
static void mean_avx2(const float *const *x, int32_t count, float s, int64_t lo, int64_t hi, float *out) {
  mean_body(x, count, s, lo, hi, out);
}
__attribute__((target("avx512f")))
static void sgd_avx512(float *x, float *v, const float *g, int64_t lo, int64_t hi, float m, float decay, float rate) {
  sgd_body(x, v, g, lo, hi, m, decay, rate);
}
__attribute__((target("avx2")))
static void sgd_avx2(float *x, float *v, const float *g, int64_t lo, int64_t hi, float m, float decay, float rate) {
  sgd_body(x, v, g, lo, hi, m, decay, rate);
}
#endif

void hsq_scaled_sum(const float *const *x, int32_t count, float scale, int64_t lo, int64_t hi, float *out) {
#if defined(__x86_64__)
  int level = server_level();
  if (level == 2) { mean_avx512(x, count, scale, lo, hi, out); return; }
  if (level == 1) { mean_avx2(x, count, scale, lo, hi, out); return; }
#endif
  mean_body(x, count, scale, lo, hi, out);
}

void hsq_sgd_momentum(float *x, float *v, const float *g, int64_t lo, int64_t hi, float momentum, float decay,
                      float rate) {
#if defined(__x86_64__)
  int level = server_level();
  if (level == 2) { sgd_avx512(x, v, g, lo, hi, momentum, decay, rate); return; }
  if (level == 1) { sgd_avx2(x, v, g, lo, hi, momentum, decay, rate); return; }
#endif
  sgd_body(x, v, g, lo, hi, momentum, decay, rate);
}
