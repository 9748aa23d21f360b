#include "kernels.h"
#include "cpu_features.h"
#include <math.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

hsq_kernel_level hsq_nearest_kernel(hsq_kernel_level level, int32_t K) {
  const int allowAVX512 = level == HSQ_KERNELS_AUTO || level == HSQ_KERNELS_AVX512;
  const int allowAVX2 = allowAVX512 || level == HSQ_KERNELS_AVX2;
  if (allowAVX512 && hsq_cpu_has_avx512f() && K >= 16) return HSQ_KERNELS_AVX512;
  if (allowAVX2 && hsq_cpu_has_avx2_fma() && K >= 8) return HSQ_KERNELS_AVX2;
  return HSQ_KERNELS_PORTABLE;
}

/* Scans codewords from..K-1 for row v one at a time (FMA in order of d), updating the running best
 * (|dot|, index, signed dot) where strictly greater: the reference every vector path matches, and
 * the vector paths' tail past their last full block. Inlined into the callers' target contexts. */
static inline void scan_codewords(const float *v, int32_t D, const float *CT, int32_t K, int32_t from,
                                  float *best, int32_t *bestK, float *bestDot) {
  for (int32_t k = from; k < K; k++) {
    float s = 0.0f;
    for (int32_t d = 0; d < D; d++) s = fmaf(v[d], CT[(int64_t)d * K + k], s);
    float a = fabsf(s);
    if (a > *best) { *best = a; *bestK = k; *bestDot = s; }
  }
}

static void nearest_portable(const float *V, int64_t M, int32_t D, const float *CT, int32_t K,
                             int32_t *idx, float *dot) {
  for (int64_t m = 0; m < M; m++) {
    float best = -1.0f, bestDot = 0.0f;
    int32_t bestK = 0;
    scan_codewords(V + m * D, D, CT, K, 0, &best, &bestK, &bestDot);
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

/* Folds one block's inner products into the running best of a row (strictly greater wins, so the first index stays on ties). */
#define HSQ_UPDATE_AVX2(acc, blockIndex, r)                                                        \
  do {                                                                                             \
    __m256 a_ = _mm256_andnot_ps(signMask, (acc));                                                 \
    __m256 gt_ = _mm256_cmp_ps(a_, best[r], _CMP_GT_OQ);                                           \
    best[r] = _mm256_blendv_ps(best[r], a_, gt_);                                                  \
    bestDot[r] = _mm256_blendv_ps(bestDot[r], (acc), gt_);                                         \
    bestBlock[r] = _mm256_castps_si256(_mm256_blendv_ps(                                           \
        _mm256_castsi256_ps(bestBlock[r]), _mm256_castsi256_ps(_mm256_set1_epi32(blockIndex)), gt_)); \
  } while (0)

/* The search eight codewords at a time (AVX2 + FMA), four rows per pass. The rest of its length is
 * the register tile: eight accumulators and the running bests live in registers for the whole pass,
 * so the block loops stay in this one function (a helper taking them by pointer would spill them);
 * the scalar tail and the lane reduction are out in scan_codewords and reduce_lanes. */
__attribute__((target("avx2,fma")))
static void nearest_avx2(const float *V, int64_t M, int32_t D, const float *CT, int32_t K,
                         int32_t *idx, float *dot) {
  const int32_t K16 = K & ~15, K8 = K & ~7;
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
    /* Two blocks of 8 codewords × 4 rows: 8 independent accumulators hide the FMA latency. */
    int32_t kb = 0;
    for (; kb < K16; kb += 16) {
      __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
      __m256 b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps(), b2 = _mm256_setzero_ps(), b3 = _mm256_setzero_ps();
      const float *c = CT + kb;
      for (int32_t d = 0; d < D; d++) {
        __m256 cw = _mm256_loadu_ps(c + (int64_t)d * K);
        __m256 cx = _mm256_loadu_ps(c + (int64_t)d * K + 8);
        __m256 x0 = _mm256_broadcast_ss(v + d), x1 = _mm256_broadcast_ss(v + D + d);
        __m256 x2 = _mm256_broadcast_ss(v + 2 * D + d), x3 = _mm256_broadcast_ss(v + 3 * D + d);
        a0 = _mm256_fmadd_ps(x0, cw, a0); b0 = _mm256_fmadd_ps(x0, cx, b0);
        a1 = _mm256_fmadd_ps(x1, cw, a1); b1 = _mm256_fmadd_ps(x1, cx, b1);
        a2 = _mm256_fmadd_ps(x2, cw, a2); b2 = _mm256_fmadd_ps(x2, cx, b2);
        a3 = _mm256_fmadd_ps(x3, cw, a3); b3 = _mm256_fmadd_ps(x3, cx, b3);
      }
      HSQ_UPDATE_AVX2(a0, kb >> 3, 0); HSQ_UPDATE_AVX2(b0, (kb >> 3) + 1, 0);
      HSQ_UPDATE_AVX2(a1, kb >> 3, 1); HSQ_UPDATE_AVX2(b1, (kb >> 3) + 1, 1);
      HSQ_UPDATE_AVX2(a2, kb >> 3, 2); HSQ_UPDATE_AVX2(b2, (kb >> 3) + 1, 2);
      HSQ_UPDATE_AVX2(a3, kb >> 3, 3); HSQ_UPDATE_AVX2(b3, (kb >> 3) + 1, 3);
    }
    for (; kb < K8; kb += 8) {
      __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
      const float *c = CT + kb;
      for (int32_t d = 0; d < D; d++) {
        __m256 cw = _mm256_loadu_ps(c + (int64_t)d * K);
        a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(v + d), cw, a0);
        a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(v + D + d), cw, a1);
        a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(v + 2 * D + d), cw, a2);
        a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(v + 3 * D + d), cw, a3);
      }
      HSQ_UPDATE_AVX2(a0, kb >> 3, 0);
      HSQ_UPDATE_AVX2(a1, kb >> 3, 1);
      HSQ_UPDATE_AVX2(a2, kb >> 3, 2);
      HSQ_UPDATE_AVX2(a3, kb >> 3, 3);
    }
    for (int r = 0; r < ROWS; r++) {
      /* Codewords past the last full block of 8, scalar. */
      float tailBest = -1.0f, tailDot = 0.0f;
      int32_t tailK = K;
      scan_codewords(v + r * D, D, CT, K, K8, &tailBest, &tailK, &tailDot);
      reduce_lanes(best[r], bestBlock[r], bestDot[r], &tailBest, &tailK, &tailDot, idx + m + r, dot + m + r);
    }
  }
  if (m < M) nearest_portable(V + m * D, M - m, D, CT, K, idx + m, dot + m);
}

/* The same search sixteen codewords at a time (AVX-512F): 4 rows × 2 blocks of 16 = 8 accumulators.
 * One function for the reason nearest_avx2 is: the tile lives in registers for the whole pass. */
#define HSQ_UPDATE_AVX512(acc, blockIndex, r)                                                     \
  do {                                                                                            \
    __m512 a_ = _mm512_abs_ps(acc);                                                               \
    __mmask16 gt_ = _mm512_cmp_ps_mask(a_, best[r], _CMP_GT_OQ);                                  \
    best[r] = _mm512_mask_mov_ps(best[r], gt_, a_);                                               \
    bestDot[r] = _mm512_mask_mov_ps(bestDot[r], gt_, (acc));                                      \
    bestBlock[r] = _mm512_mask_mov_epi32(bestBlock[r], gt_, _mm512_set1_epi32(blockIndex));       \
  } while (0)

/* reduce_lanes for sixteen lanes: the per-lane best against the scalar tail's, first index on ties. */
__attribute__((target("avx512f")))
static inline void reduce_lanes16(__m512 best, __m512i block, __m512 bestDot, float tailBest, int32_t tailK,
                                  float tailDot, int32_t *outK, float *outDot) {
  float b[16], sd[16];
  int32_t blk[16];
  _mm512_storeu_ps(b, best);
  _mm512_storeu_ps(sd, bestDot);
  _mm512_storeu_si512(blk, block);
  float win = tailBest, winDot = tailDot;
  int32_t winK = tailK;
  for (int j = 0; j < 16; j++) {
    int32_t k = blk[j] * 16 + j;
    if (b[j] > win || (b[j] == win && k < winK)) { win = b[j]; winK = k; winDot = sd[j]; }
  }
  *outK = winK;
  *outDot = winDot;
}

/* The search sixteen codewords at a time (AVX-512F), four rows per pass. Kept in one function for the
 * reason nearest_avx2 is: the accumulators and the running bests are the register tile of the whole
 * pass (a helper taking them by pointer would spill them to memory); the scalar tail and the lane
 * reduction are already out in scan_codewords and reduce_lanes16. */
__attribute__((target("avx512f")))
static void nearest_avx512(const float *V, int64_t M, int32_t D, const float *CT, int32_t K,
                           int32_t *idx, float *dot) {
  const int32_t K32 = K & ~31, K16 = K & ~15;
  int64_t m = 0;
  for (; m + ROWS <= M; m += ROWS) {
    const float *v = V + m * D;
    __m512 best[ROWS], bestDot[ROWS];
    __m512i bestBlock[ROWS];
    for (int r = 0; r < ROWS; r++) {
      best[r] = _mm512_set1_ps(-1.0f);
      bestDot[r] = _mm512_setzero_ps();
      bestBlock[r] = _mm512_setzero_si512();
    }
    int32_t kb = 0;
    for (; kb < K32; kb += 32) {
      __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
      __m512 b0 = _mm512_setzero_ps(), b1 = _mm512_setzero_ps(), b2 = _mm512_setzero_ps(), b3 = _mm512_setzero_ps();
      const float *c = CT + kb;
      for (int32_t d = 0; d < D; d++) {
        __m512 cw = _mm512_loadu_ps(c + (int64_t)d * K);
        __m512 cx = _mm512_loadu_ps(c + (int64_t)d * K + 16);
        __m512 x0 = _mm512_set1_ps(v[d]), x1 = _mm512_set1_ps(v[D + d]);
        __m512 x2 = _mm512_set1_ps(v[2 * D + d]), x3 = _mm512_set1_ps(v[3 * D + d]);
        a0 = _mm512_fmadd_ps(x0, cw, a0); b0 = _mm512_fmadd_ps(x0, cx, b0);
        a1 = _mm512_fmadd_ps(x1, cw, a1); b1 = _mm512_fmadd_ps(x1, cx, b1);
        a2 = _mm512_fmadd_ps(x2, cw, a2); b2 = _mm512_fmadd_ps(x2, cx, b2);
        a3 = _mm512_fmadd_ps(x3, cw, a3); b3 = _mm512_fmadd_ps(x3, cx, b3);
      }
      HSQ_UPDATE_AVX512(a0, kb >> 4, 0); HSQ_UPDATE_AVX512(b0, (kb >> 4) + 1, 0);
      HSQ_UPDATE_AVX512(a1, kb >> 4, 1); HSQ_UPDATE_AVX512(b1, (kb >> 4) + 1, 1);
      HSQ_UPDATE_AVX512(a2, kb >> 4, 2); HSQ_UPDATE_AVX512(b2, (kb >> 4) + 1, 2);
      HSQ_UPDATE_AVX512(a3, kb >> 4, 3); HSQ_UPDATE_AVX512(b3, (kb >> 4) + 1, 3);
    }
    for (; kb < K16; kb += 16) {
      __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
      const float *c = CT + kb;
      for (int32_t d = 0; d < D; d++) {
        __m512 cw = _mm512_loadu_ps(c + (int64_t)d * K);
        a0 = _mm512_fmadd_ps(_mm512_set1_ps(v[d]), cw, a0);
        a1 = _mm512_fmadd_ps(_mm512_set1_ps(v[D + d]), cw, a1);
        a2 = _mm512_fmadd_ps(_mm512_set1_ps(v[2 * D + d]), cw, a2);
        a3 = _mm512_fmadd_ps(_mm512_set1_ps(v[3 * D + d]), cw, a3);
      }
      HSQ_UPDATE_AVX512(a0, kb >> 4, 0);
      HSQ_UPDATE_AVX512(a1, kb >> 4, 1);
      HSQ_UPDATE_AVX512(a2, kb >> 4, 2);
      HSQ_UPDATE_AVX512(a3, kb >> 4, 3);
    }
    for (int r = 0; r < ROWS; r++) {
      /* Codewords past the last full block of 16, scalar. */
      float tailBest = -1.0f, tailDot = 0.0f;
      int32_t tailK = K;
      scan_codewords(v + r * D, D, CT, K, K16, &tailBest, &tailK, &tailDot);
      reduce_lanes16(best[r], bestBlock[r], bestDot[r], tailBest, tailK, tailDot, idx + m + r, dot + m + r);
    }
  }
  if (m < M) nearest_portable(V + m * D, M - m, D, CT, K, idx + m, dot + m);
}
#endif

void hsq_nearest_codewords(const float *V, int64_t M, int32_t D, const float *CT, int32_t K,
                           int32_t *idx, float *dot, hsq_kernel_level level) {
#if defined(__x86_64__)
  switch (hsq_nearest_kernel(level, K)) {
  case HSQ_KERNELS_AVX512: nearest_avx512(V, M, D, CT, K, idx, dot); return;
  case HSQ_KERNELS_AVX2: nearest_avx2(V, M, D, CT, K, idx, dot); return;
  default: break;
  }
#endif
  nearest_portable(V, M, D, CT, K, idx, dot);
}
