#include "kernels.h"
#include <math.h>
#include <immintrin.h>

static int force_portable = 0;

void hsq_kernels_force_portable(int force) { force_portable = force; }

int hsq_kernels_use_avx2(void) {
#if defined(__x86_64__)
  static int cached = -1;
  if (cached < 0) {
    __builtin_cpu_init();
    cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }
  return cached && !force_portable;
#else
  return 0;
#endif
}

static void nearest_portable(const float *V, int64_t M, int32_t D, const float *CT, int32_t K,
                             int32_t *idx, float *dot) {
  for (int64_t m = 0; m < M; m++) {
    const float *v = V + m * D;
    float best = -1.0f, bestDot = 0.0f;
    int32_t bestK = 0;
    for (int32_t k = 0; k < K; k++) {
      float s = 0.0f;
      for (int32_t d = 0; d < D; d++) s = fmaf(v[d], CT[(int64_t)d * K + k], s);
      float a = fabsf(s);
      if (a > best) { best = a; bestK = k; bestDot = s; }
    }
    idx[m] = bestK;
    dot[m] = bestDot;
  }
}

#if defined(__x86_64__)
#define ROWS 4

/* Reduces the per-lane best (value, block, signed dot) to one winner, first index on ties. */
__attribute__((target("avx2,fma")))
static inline void reduce_lanes(__m256 best, __m256i block, __m256 bestDot,
                                float *tailBest, int32_t *tailK, float *tailDot,
                                int32_t *outK, float *outDot) {
  float b[8], s[8];
  int32_t blk[8];
  _mm256_storeu_ps(b, best);
  _mm256_storeu_ps(s, bestDot);
  _mm256_storeu_si256((__m256i *)blk, block);
  float win = *tailBest;
  int32_t winK = *tailK;
  float winDot = *tailDot;
  for (int j = 0; j < 8; j++) {
    int32_t k = blk[j] * 8 + j;
    if (b[j] > win || (b[j] == win && k < winK)) { win = b[j]; winK = k; winDot = s[j]; }
  }
  *outK = winK;
  *outDot = winDot;
}

__attribute__((target("avx2,fma")))
static void nearest_avx2(const float *V, int64_t M, int32_t D, const float *CT, int32_t K,
                         int32_t *idx, float *dot) {
  const int32_t K8 = K & ~7;
  const __m256 signMask = _mm256_set1_ps(-0.0f);
  int64_t m = 0;
  for (; m + ROWS <= M; m += ROWS) {
    const float *v = V + m * D;
    __m256 best[ROWS], bestDot[ROWS];
    __m256i bestBlock[ROWS];
    for (int r = 0; r < ROWS; r++) {
      best[r] = _mm256_set1_ps(-1.0f);
      bestDot[r] = _mm256_setzero_ps();
      bestBlock[r] = _mm256_setzero_si256();
    }
    for (int32_t kb = 0; kb < K8; kb += 8) {
      __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
      __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
      const float *c = CT + kb;
      for (int32_t d = 0; d < D; d++) {
        __m256 cw = _mm256_loadu_ps(c + (int64_t)d * K);
        acc0 = _mm256_fmadd_ps(_mm256_broadcast_ss(v + d), cw, acc0);
        acc1 = _mm256_fmadd_ps(_mm256_broadcast_ss(v + D + d), cw, acc1);
        acc2 = _mm256_fmadd_ps(_mm256_broadcast_ss(v + 2 * D + d), cw, acc2);
        acc3 = _mm256_fmadd_ps(_mm256_broadcast_ss(v + 3 * D + d), cw, acc3);
      }
      __m256 accs[ROWS] = {acc0, acc1, acc2, acc3};
      __m256i blockId = _mm256_set1_epi32(kb >> 3);
      for (int r = 0; r < ROWS; r++) {
        __m256 a = _mm256_andnot_ps(signMask, accs[r]);
        __m256 gt = _mm256_cmp_ps(a, best[r], _CMP_GT_OQ);
        best[r] = _mm256_blendv_ps(best[r], a, gt);
        bestDot[r] = _mm256_blendv_ps(bestDot[r], accs[r], gt);
        bestBlock[r] = _mm256_castps_si256(
            _mm256_blendv_ps(_mm256_castsi256_ps(bestBlock[r]), _mm256_castsi256_ps(blockId), gt));
      }
    }
    for (int r = 0; r < ROWS; r++) {
      /* Codewords past the last full block of 8, scalar. */
      const float *vr = v + r * D;
      float tailBest = -1.0f, tailDot = 0.0f;
      int32_t tailK = K;
      for (int32_t k = K8; k < K; k++) {
        float s = 0.0f;
        for (int32_t d = 0; d < D; d++) s = fmaf(vr[d], CT[(int64_t)d * K + k], s);
        float a = fabsf(s);
        if (a > tailBest) { tailBest = a; tailK = k; tailDot = s; }
      }
      reduce_lanes(best[r], bestBlock[r], bestDot[r], &tailBest, &tailK, &tailDot, idx + m + r, dot + m + r);
    }
  }
  if (m < M) nearest_portable(V + m * D, M - m, D, CT, K, idx + m, dot + m);
}
#endif

void hsq_nearest_codewords(const float *V, int64_t M, int32_t D, const float *CT, int32_t K,
                           int32_t *idx, float *dot) {
#if defined(__x86_64__)
  if (hsq_kernels_use_avx2() && K >= 8) {
    nearest_avx2(V, M, D, CT, K, idx, dot);
    return;
  }
#endif
  nearest_portable(V, M, D, CT, K, idx, dot);
}
