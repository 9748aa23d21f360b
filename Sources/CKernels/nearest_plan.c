/* A prepared nearest-codeword search: an exact int8 screen (AVX512-VNNI) in front of the float search.
 *
 * The answer is the float search's (hsq_nearest_codewords), bit for bit: for a row v (D ≤ 16 floats),
 *   s_k = the fmaf chain s = 0; s = fmaf(v_d, c_kd, s) for d = 0..D−1,
 *   idx = the first k with the largest |s_k|,  dot = s_idx.
 *
 * Screen. The codebook is quantized once, Q_kd = round(c_kd/s_c), s_c = max|c|/127 (in double), and each
 * row with ι = fl(127/max|v|), x_d = fl(v_d·ι), q_d = round(x_d) ∈ [−127, 127]. The integer scores
 * I_k = Σ_d q_d·Q_kd are exact: vpdpbusd multiplies the row's bytes q_d + 128 ∈ [1, 255] (unsigned) by the
 * Q_kd (signed) into an accumulator that starts from −128·Σ_d Q_kd (|terms| < 2^20, no overflow in int32).
 * In the units of I, with y = ι·v (exact, real):
 *   |y·c_k/s_c − I_k| = |⟨y, c_k/s_c − Q_k⟩ + ⟨y − q, Q_k⟩| ≤ ‖y‖·E_c + ‖y − q‖·N_Q      (Cauchy–Schwarz),
 *     E_c = max_k ‖c_k/s_c − Q_k‖,  N_Q = max_k ‖Q_k‖;
 *   |ι/s_c·(s_k − ⟨v, c_k⟩)| ≤ γ·‖y‖·C_n + ι/s_c·D·2^-149                 (the fmaf chain, with underflow),
 *     C_n = max_k ‖c_k‖/s_c, γ = 2Du/(1 − 2Du), u = 2^-24 (2u: the bound holds in any rounding mode);
 * so |ι/s_c·s_k − I_k| ≤ ε = ‖y‖·(E_c + γ·C_n) + ‖y − q‖·N_Q + 2^-31, as ι and 1/s_c are below 2^57.
 * The row enters through x and f = x − q, which is exact (the fractional part of a float):
 *   ‖y‖ ≤ (1 + 4u)‖x‖ + 2^-146 and ‖y − q‖ ≤ ‖f‖ + 4u‖x‖ + 2^-146, since |y_d − x_d| ≤ 2u|y_d| + 2^-149.
 * E_c, N_Q, C_n are computed in double and rounded up (tq = E_c + γ·C_n, tn = N_Q); T ≥ 2ε in float from the
 * row's ‖x‖ and ‖f‖, times 1 + 2^-10 (far above the ~20u of rounding in these sums and products), plus 2
 * (above every absolute term: underflow in the sums, 2^-31, 2^-146·tn; T is an integer).
 *
 * Exactness. Let S = max_k |s_k|. Every k with |s_k| = S has |I_k| ≥ ι/s_c·S − ε ≥ max|I| − 2ε, since
 * max|I| ≤ ι/s_c·S + ε. So the candidates {k : |I_k| ≥ max|I| − T} hold every maximizer, and the float
 * search restricted to them (the same fmaf chain, k ascending, strictly greater wins) returns the same
 * first maximizer and the same float dot. The candidates are taken on 16-bit scores, g_k = I_k >> 3 in ones'
 * complement (⌊I/8⌋ for I ≥ 0, ⌈|I|/8⌉ − 1 for I < 0; |I| ≤ 16·127² < 8·2^15), so |I|/8 − 1 ≤ g ≤ |I|/8:
 * every k above has g_k ≥ (max|I| − T)/8 − 1 ≥ max g − T/8 − 1, i.e. g_k ≥ max g − ⌊T/8⌋ − 1, and that
 * larger set is what is re-ranked.
 *
 * Rows that are all ±0 get (0, +0), what the chain gives. Rows with a non-finite entry or max|v| outside
 * [2^-50, 2^50] take the float search; so does everything when the codebook is not finite or has max|c|
 * outside [2^-50, 2^50], when D or K is out of the screen's range (4 ≤ D ≤ 16, 16 ≤ K ≤ 256: below it the
 * float kernels are as fast), for calls of fewer than 32 rows, and on CPUs without AVX512-VNNI/VBMI2.
 */
#include "kernels.h"
#include "cpu_features.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define PLAN_MIN_D 4
#define PLAN_MIN_K 16
#define PLAN_MAX_K 256 /* candidates are bytes */
#define PLAN_MIN_ROWS 32
#define BITS_2M50 0x26800000 /* 2^-50 as float bits */
#define BITS_2P50 0x58800000 /* 2^50 as float bits */

struct hsq_nearest_plan {
  int32_t K, D;
  float *ct;     /* D×K: the codebook transposed (the float kernels) */
  float *rows16; /* K×16: the codebook zero-padded to 16 dims (re-ranking) */
  hsq_kernel_level level; /* the most the float search may use */
  int int8;      /* 1 when the screen can run (only at HSQ_KERNELS_AUTO) */
  int32_t groups; /* ⌈D/4⌉: dims are taken four at a time */
  int32_t words;  /* ⌈K/64⌉: codewords 64 at a time, in four blocks of sixteen */
  int8_t *qc;     /* 4·words blocks × groups × 64 bytes: lane λ of (block, g) = Q[k][4g..4g+3], k in slot λ */
  int32_t *qbias; /* 4·words blocks × 16: lane λ of block = −128·Σ_d Q[k][d], k in slot λ */
  uint64_t valid[4]; /* bits j of candidate word w that hold codewords (k = 64w + j < K) */
  float tq, tn;       /* E_c + γ·C_n and N_Q, rounded up */
  uint8_t bitnum[64]; /* byte j = j: the bit numbers of a candidate word */
};

static void *alloc64(size_t bytes) {
  void *p = NULL;
  bytes = (bytes + 63) & ~(size_t)63;
  if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0) return NULL;
  memset(p, 0, bytes ? bytes : 64);
  return p;
}

/* Where codeword k sits among the int32 lanes of the screen: block slot/16, lane slot % 16. Lane l of the
 * 16-bit score vector v holds block 2v + l % 2, lane l/2 (score_rows); codeword k goes to vector k/32, lane
 * k % 32, so that bit j of the selection's mask word w (select_row) stands for k = 64w + j. */
static int32_t codeword_slot(int32_t k) {
  const int32_t v = k / 32, l = k % 32;
  return (2 * v + l % 2) * 16 + l / 2;
}

/* Quantizes the codebook and derives the error constants; leaves p->int8 = 0 when it cannot.
 * One function because the constants are one derivation (see the header): the scale, the rounding
 * error of each codeword and the bounds built from them, each step using the previous one's values. */
static void prepare_int8(hsq_nearest_plan *p, const float *C) {
  const int32_t K = p->K, D = p->D;
  if (!hsq_cpu_has_avx512_vnni_plan() || D < PLAN_MIN_D || D > 16 || K < PLAN_MIN_K || K > PLAN_MAX_K) return;
  double cmax = 0;
  for (size_t i = 0; i < (size_t)K * D; i++) {
    const double a = fabs((double)C[i]);
    if (!(a <= 0x1p50)) return; /* NaN, infinite or huge */
    if (a > cmax) cmax = a;
  }
  if (cmax < 0x1p-50) return;
  const int32_t G = (D + 3) / 4, W = (K + 63) / 64;
  p->qc = alloc64((size_t)W * 4 * G * 64); /* zero: Q = 0 past K and D */
  p->qbias = alloc64((size_t)W * 4 * 16 * sizeof(int32_t));
  if (!p->qc || !p->qbias) return;
  const double sc = cmax / 127;
  double e2max = 0, n2max = 0, c2max = 0;
  for (int32_t k = 0; k < K; k++) {
    const int32_t slot = codeword_slot(k);
    double e2 = 0, n2 = 0, c2 = 0;
    int32_t qs = 0;
    for (int32_t d = 0; d < D; d++) {
      const double r = C[(size_t)k * D + d] / sc; /* within 2^-53·|r| of c/s_c: covered below */
      double q = nearbyint(r);
      q = q > 127 ? 127 : q < -127 ? -127 : q;
      e2 += (r - q) * (r - q);
      n2 += q * q;
      c2 += r * r;
      p->qc[((size_t)(slot / 16) * G + d / 4) * 64 + (slot % 16) * 4 + d % 4] = (int8_t)q;
      qs += (int32_t)q;
    }
    p->qbias[slot] = -128 * qs;
    if (e2 > e2max) e2max = e2;
    if (n2 > n2max) n2max = n2;
    if (c2 > c2max) c2max = c2;
  }
  const double u2 = 0x1p-23, gamma = D * u2 / (1 - D * u2);
  const double slack = 1 + 0x1p-30; /* the double roundings of r, the sums and the square roots */
  p->tq = (float)((sqrt(e2max) + (gamma + 0x1p-40) * sqrt(c2max)) * slack * (1 + 0x1p-20));
  p->tn = (float)(sqrt(n2max) * slack * (1 + 0x1p-20));
  p->groups = G;
  p->words = W;
  for (int32_t j = 0; j < 64; j++) p->bitnum[j] = (uint8_t)j;
  for (int32_t w = 0; w < W; w++) {
    const int32_t bits = K - 64 * w; /* j with 64w + j < K */
    p->valid[w] = bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
  }
  p->int8 = 1;
}

hsq_nearest_plan *hsq_nearest_plan_create(const float *C, int32_t K, int32_t D, hsq_kernel_level level) {
  if (K < 1 || D < 1 || !C) return NULL;
  hsq_nearest_plan *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->K = K;
  p->D = D;
  p->level = level;
  p->ct = alloc64((size_t)K * D * sizeof(float));
  p->rows16 = alloc64((size_t)K * 16 * sizeof(float));
  if (!p->ct || !p->rows16) {
    hsq_nearest_plan_destroy(p);
    return NULL;
  }
  for (int32_t k = 0; k < K; k++)
    for (int32_t d = 0; d < D; d++) {
      p->ct[(size_t)d * K + k] = C[(size_t)k * D + d];
      if (D <= 16) p->rows16[(size_t)k * 16 + d] = C[(size_t)k * D + d];
    }
  if (level == HSQ_KERNELS_AUTO) prepare_int8(p, C);
  return p;
}

void hsq_nearest_plan_destroy(hsq_nearest_plan *p) {
  if (!p) return;
  free(p->ct);
  free(p->rows16);
  free(p->qc);
  free(p->qbias);
  free(p);
}

int hsq_nearest_plan_uses_int8(const hsq_nearest_plan *p) {
  return p && p->int8;
}

#if defined(__x86_64__)
#define INT8_TARGET "avx512f,avx512bw,avx512vnni,avx512vbmi2,fma,bmi,popcnt"
#define LANES 16 /* rows per group: the lanes of one vector */

/* One group of LANES rows, lanes = rows, from their transposed floats to their thresholds. */
typedef struct {
  __m512 vt[16];            /* vt[d] lane i = V[m0 + i][d] (zero past D and past M) */
  int32_t qd[4][16];        /* qd[g][i] = bytes q + 128 of row i, dims 4g..4g+3 */
  int32_t T[16];            /* the threshold T ≥ 2ε of row i */
  int32_t thr[16];          /* the candidate threshold of row i on the 16-bit scores */
  __m512i gmax[16];         /* row i's largest 16-bit score is the largest lane of gmax[i] */
  int32_t count[16];        /* candidates of row i */
} group_t;

/* The working memory of one search (heap: worker threads may have small stacks): two groups in flight, one
 * scored while the other is selected and re-ranked. They share the scores (two rows are selected before the
 * next group's two overwrite them) and the candidates, so that all of it stays in L1 next to the codebook. */
typedef struct {
  group_t g[2];
  __m512i score[16][PLAN_MAX_K / 32]; /* score[i][·]: the 16-bit scores of row i, 32 codewords a vector */
  uint8_t cand[16][PLAN_MAX_K + 64];  /* the candidates of row i, k ascending (64 bytes of slack) */
} work_t;

/* In-place 16×16 transpose: afterwards r[d] lane i = the old r[i] lane d. */
__attribute__((target(INT8_TARGET), always_inline))
static inline void transpose16(__m512 *r) {
  __m512 t[16];
#pragma GCC unroll 8
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
#pragma GCC unroll 4
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
    r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
    r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
    r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
  }
  /* r[4a + b] lane 4c + e now holds row 4a + e, dim 4c + b: swap the 128-bit blocks c and a. */
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++) {
    t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);      /* blocks 0, 2 of each */
    t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xDD);  /* blocks 1, 3 */
    t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
    t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xDD);
  }
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
    r[i + 4] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0x88);
    r[i + 12] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0xDD);
  }
}

/* The screen's integer threshold per row lane from Σx² and Σf² by dim group: T ≥ 2ε from ‖x‖ and ‖f‖
 * (see the header), with the margins; capped where it takes every codeword anyway. */
__attribute__((target(INT8_TARGET), always_inline))
static inline __m512i screen_threshold(const hsq_nearest_plan *p, const __m512 xs[4], const __m512 fs[4]) {
  const __m512 x2 = _mm512_add_ps(_mm512_add_ps(xs[0], xs[1]), _mm512_add_ps(xs[2], xs[3]));
  const __m512 f2 = _mm512_add_ps(_mm512_add_ps(fs[0], fs[1]), _mm512_add_ps(fs[2], fs[3]));
  const __m512 xn = _mm512_sqrt_ps(x2), fn = _mm512_sqrt_ps(f2);
  const __m512 e = _mm512_fmadd_ps(xn, _mm512_set1_ps(p->tq),
                                   _mm512_mul_ps(_mm512_add_ps(_mm512_fmadd_ps(xn, _mm512_set1_ps(0x1p-22f), fn),
                                                               _mm512_set1_ps(0x1p-100f)),
                                                 _mm512_set1_ps(p->tn)));
  const __m512 t = _mm512_min_ps(_mm512_mul_ps(e, _mm512_set1_ps(2 * (1 + 0x1p-10f))), _mm512_set1_ps(0x1p30f));
  return _mm512_add_epi32(_mm512_cvttps_epi32(t), _mm512_set1_epi32(2));
}

/* Loads rows [m0, m0 + cnt) (cnt ≤ 16), answers the zero rows and sends the out-of-range ones to the float
 * search; quantizes the rest, sixteen at a time in the lanes. Returns the mask of the rows to screen.
 * Kept whole (its threshold is out in screen_threshold): the sixteen transposed rows and the per-lane
 * sums are vector registers from the load to the store, and the unrolled loops depend on D and G
 * being constants where it is inlined. */
__attribute__((target(INT8_TARGET), always_inline))
static inline unsigned quantize_group(const hsq_nearest_plan *p, const float *V, int64_t m0, int cnt, group_t *g,
                                      int32_t *idx, float *dot, const int D, const int G) {
  const __mmask16 dm = (__mmask16)((1u << D) - 1);
#pragma GCC unroll 16
  for (int i = 0; i < 16; i++)
    g->vt[i] = i < cnt ? _mm512_maskz_loadu_ps(dm, V + (m0 + i) * D) : _mm512_setzero_ps(); /* only the D entries */
  transpose16(g->vt);
  __m512i am[4]; /* max|v| in four parts, and the sums below by dim group: shorter dependency chains */
#pragma GCC unroll 4
  for (int a = 0; a < 4; a++) am[a] = _mm512_setzero_si512();
#pragma GCC unroll 16
  for (int d = 0; d < D; d++)
    am[d % 4] = _mm512_max_epi32(am[d % 4], _mm512_and_si512(_mm512_castps_si512(g->vt[d]), _mm512_set1_epi32(0x7fffffff)));
  const __m512i amax = _mm512_max_epi32(_mm512_max_epi32(am[0], am[1]), _mm512_max_epi32(am[2], am[3]));
  const __mmask16 valid = (__mmask16)((1u << cnt) - 1); /* NaN and inf bits compare above 2^50 */
  const __mmask16 ok = _mm512_mask_cmpge_epi32_mask(valid, amax, _mm512_set1_epi32(BITS_2M50)) &
                       _mm512_cmple_epi32_mask(amax, _mm512_set1_epi32(BITS_2P50));
  const __mmask16 zero = _mm512_mask_cmpeq_epi32_mask(valid, amax, _mm512_setzero_si512());
  const __m512 iota = _mm512_maskz_div_ps(ok, _mm512_set1_ps(127.0f), _mm512_castsi512_ps(amax));
  __m512 xs[4], fs[4]; /* Σx² and Σf² by dim group (the order of these sums is covered by the margin in T) */
#pragma GCC unroll 4
  for (int a = 0; a < 4; a++) xs[a] = fs[a] = _mm512_setzero_ps();
#pragma GCC unroll 4
  for (int gi = 0; gi < G; gi++) {
    __m512i bytes = _mm512_setzero_si512();
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
      const __m512 x = _mm512_maskz_mul_ps(ok, g->vt[4 * gi + j], iota);
      const __m512i q = _mm512_cvt_roundps_epi32(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      const __m512 f = _mm512_sub_ps(x, _mm512_cvtepi32_ps(q)); /* exact */
      xs[gi] = _mm512_fmadd_ps(x, x, xs[gi]);
      fs[gi] = _mm512_fmadd_ps(f, f, fs[gi]);
      bytes = _mm512_or_si512(bytes, _mm512_slli_epi32(_mm512_and_si512(_mm512_add_epi32(q, _mm512_set1_epi32(128)),
                                                                        _mm512_set1_epi32(0xff)), 8 * j));
    }
    _mm512_store_si512((void *)g->qd[gi], bytes);
  }
  _mm512_store_si512((void *)g->T, screen_threshold(p, xs, fs));
  for (unsigned z = zero; z; z &= z - 1) {
    idx[m0 + __builtin_ctz(z)] = 0;
    dot[m0 + __builtin_ctz(z)] = 0.0f;
  }
  for (unsigned o = valid & ~ok & ~zero; o; o &= o - 1) {
    const int64_t m = m0 + __builtin_ctz(o);
    hsq_nearest_codewords(V + m * D, 1, D, p->ct, p->K, idx + m, dot + m, p->level);
  }
  return ok;
}

/* The integer scores of row lanes i and i + 1 against every codeword, two rows sharing each load of the
 * codebook: I = Σ_d (q_d + 128)·Q_kd − 128·Σ_d Q_kd (see the header). As 16 bits, g = I >> 3 in ones'
 * complement (the header), lane 2λ + h of score[i][pb] from block 2·pb + h, lane λ: shifts, a ternary logic
 * op and an xor, rather than vpackssdw and vpabsw, which would take the ports of vpdpbusd. In gmax[i] a
 * vector whose largest lane is max g. */
__attribute__((target(INT8_TARGET), always_inline))
static inline void score_rows(const hsq_nearest_plan *p, group_t *g, work_t *wk, int i, const int G, const int W) {
  const int8_t *restrict qc = p->qc;
  const int32_t *restrict qbias = p->qbias;
  __m512i qv[2][4], mx[2];
  for (int r = 0; r < 2; r++) {
    for (int gi = 0; gi < G; gi++) qv[r][gi] = _mm512_set1_epi32(g->qd[gi][i + r]);
    mx[r] = _mm512_setzero_si512();
  }
#pragma GCC unroll 8
  for (int pb = 0; pb < 2 * W; pb++) { /* pairs of blocks */
    __m512i acc[2][2];
    for (int h = 0; h < 2; h++) {
      const int b = 2 * pb + h;
      acc[0][h] = _mm512_load_si512((const void *)(qbias + 16 * b));
      acc[1][h] = _mm512_load_si512((const void *)(qbias + 16 * b));
#pragma GCC unroll 4
      for (int gi = 0; gi < G; gi++) {
        const __m512i c = _mm512_load_si512((const void *)(qc + ((size_t)b * G + gi) * 64));
        acc[0][h] = _mm512_dpbusd_epi32(acc[0][h], qv[0][gi], c);
        acc[1][h] = _mm512_dpbusd_epi32(acc[1][h], qv[1][gi], c);
      }
    }
    for (int r = 0; r < 2; r++) {
      const __m512i s = _mm512_ternarylogic_epi32(_mm512_srai_epi32(acc[r][0], 3), _mm512_slli_epi32(acc[r][1], 13),
                                                  _mm512_set1_epi32(0xffff), 0xE4); /* low halves from acc[r][0] */
      const __m512i s16 = _mm512_xor_si512(s, _mm512_srai_epi16(s, 15));
      _mm512_store_si512((void *)(wk->score[i + r] + pb), s16);
      mx[r] = _mm512_max_epi16(mx[r], s16);
    }
  }
  for (int r = 0; r < 2; r++)
    g->gmax[i + r] = _mm512_max_epi32(_mm512_srli_epi32(mx[r], 16), _mm512_and_si512(mx[r], _mm512_set1_epi32(0xffff)));
}

/* Lane i of the result = the largest lane of r[i] (sixteen horizontal maxima at once). */
__attribute__((target(INT8_TARGET), always_inline))
static inline __m512i hmax16(const __m512i *r) {
  __m512i s[8], u[4], v[2];
#pragma GCC unroll 8
  for (int i = 0; i < 8; i++)
    s[i] = _mm512_max_epi32(_mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]), _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]));
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++)
    u[i] = _mm512_max_epi32(_mm512_unpacklo_epi64(s[2 * i], s[2 * i + 1]), _mm512_unpackhi_epi64(s[2 * i], s[2 * i + 1]));
  for (int i = 0; i < 2; i++)
    v[i] = _mm512_max_epi32(_mm512_shuffle_i32x4(u[2 * i], u[2 * i + 1], 0x88), _mm512_shuffle_i32x4(u[2 * i], u[2 * i + 1], 0xDD));
  return _mm512_max_epi32(_mm512_shuffle_i32x4(v[0], v[1], 0x88), _mm512_shuffle_i32x4(v[0], v[1], 0xDD));
}

/* The thresholds on the 16-bit scores: every k with |I_k| ≥ max|I| − T has g_k ≥ max g − ⌊T/8⌋ − 1. */
__attribute__((target(INT8_TARGET), always_inline))
static inline void thresholds(group_t *g) {
  const __m512i t = _mm512_sub_epi32(_mm512_sub_epi32(hmax16(g->gmax), _mm512_srai_epi32(_mm512_load_si512((const void *)g->T), 3)),
                                     _mm512_set1_epi32(1));
  _mm512_store_si512((void *)g->thr, _mm512_max_epi32(t, _mm512_setzero_si512()));
}

/* The candidates of row lane i, every k with g_k ≥ thr, in index order: word w of the compare masks covers
 * codewords 64w..64w + 63 (see codeword_slot), and each word's numbers are compressed after the previous
 * word's. */
__attribute__((target(INT8_TARGET), always_inline))
static inline void select_row(const hsq_nearest_plan *p, group_t *g, work_t *wk, int i, const int W, const int full) {
  const __m512i t = _mm512_set1_epi16((short)g->thr[i]), j = _mm512_loadu_si512((const void *)p->bitnum);
  const __m512i *s = wk->score[i];
  int n = 0;
  for (int w = 0; w < W; w++) {
    __mmask64 m = _mm512_kunpackd(_mm512_cmpge_epu16_mask(s[2 * w + 1], t), _mm512_cmpge_epu16_mask(s[2 * w], t));
    if (!full) m = _kand_mask64(m, _cvtu64_mask64(p->valid[w]));
    const __m512i k = _mm512_add_epi8(j, _mm512_set1_epi8((char)(64 * w))); /* 64w + j */
    _mm512_storeu_si512((void *)(wk->cand[i] + n), _mm512_maskz_compress_epi8(m, k));
    n += (int)_mm_popcnt_u64(_cvtmask64_u64(m));
  }
  g->count[i] = n;
}

/* The float dots of the candidates, round r taking the r-th candidate of every row (lane i = row i): the rows
 * from the transposed group, the codewords transposed here, the same fmaf chain d = 0..D−1 per lane. A lane
 * keeps a later candidate only when strictly greater in |s|, so ties keep the first k. */
__attribute__((target(INT8_TARGET), always_inline))
static inline void rerank(const hsq_nearest_plan *p, const group_t *g, const work_t *wk, unsigned ok, int32_t *idx,
                          float *dot, const int D) {
  const __m512i count = _mm512_load_si512((const void *)g->count);
  const int rounds = _mm512_mask_reduce_max_epi32((__mmask16)ok, count);
  __m512 best = _mm512_set1_ps(-1.0f), bestDot = _mm512_setzero_ps();
  __m512i bestRound = _mm512_setzero_si512();
  for (int r = 0; r < rounds; r++) {
    __m512 cw[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) cw[i] = _mm512_load_ps(p->rows16 + (size_t)wk->cand[i][r] * 16); /* any k < K */
    transpose16(cw);
    __m512 s = _mm512_setzero_ps();
#pragma GCC unroll 16
    for (int d = 0; d < D; d++) s = _mm512_fmadd_ps(g->vt[d], cw[d], s);
    const __m512 a = _mm512_abs_ps(s);
    const __mmask16 take = _mm512_mask_cmp_ps_mask(_mm512_cmpgt_epi32_mask(count, _mm512_set1_epi32(r)), a, best, _CMP_GT_OQ);
    best = _mm512_mask_mov_ps(best, take, a);
    bestDot = _mm512_mask_mov_ps(bestDot, take, s);
    bestRound = _mm512_mask_mov_epi32(bestRound, take, _mm512_set1_epi32(r));
  }
  _mm512_mask_storeu_ps(dot, (__mmask16)ok, bestDot);
  int32_t br[16];
  _mm512_storeu_si512((void *)br, bestRound);
  for (unsigned o = ok; o; o &= o - 1) {
    const int i = __builtin_ctz(o);
    idx[i] = wk->cand[i][br[i]];
  }
}

/* Rows [0, M), sixteen at a time: quantize, score, threshold, select the candidates, re-rank them. Two groups
 * are in flight: the selection of one (mask work) interleaves with the scoring of the next (vpdpbusd), two
 * rows at a time, the two selected first as the two scored take their place. */
__attribute__((target(INT8_TARGET), always_inline))
static inline void search_int8(const hsq_nearest_plan *p, const float *V, int64_t M, int32_t *idx, float *dot,
                               work_t *wk, const int D, const int G, const int W, const int full) {
  unsigned okPrev = 0;
  int64_t mPrev = 0;
  for (int64_t m0 = 0, j = 0; m0 < M + LANES; m0 += LANES, j ^= 1) {
    group_t *g = wk->g + j, *h = wk->g + (j ^ 1); /* this group, the previous one */
    unsigned ok = 0;
    if (m0 < M) ok = quantize_group(p, V, m0, M - m0 < LANES ? (int)(M - m0) : LANES, g, idx, dot, D, G);
    for (int i = 0; i < 16; i += 2) {
      if ((okPrev >> i) & 1) select_row(p, h, wk, i, W, full);
      if ((okPrev >> i) & 2) select_row(p, h, wk, i + 1, W, full);
      if ((ok >> i) & 3) score_rows(p, g, wk, i, G, W);
    }
    if (ok) thresholds(g);
    if (okPrev) rerank(p, h, wk, okPrev, idx + mPrev, dot + mPrev, D);
    okPrev = ok;
    mPrev = m0;
  }
}

/* Instances with every size a constant for the usual sub-vector dims D = 4, 8, 16 and each number of words W
 * (K = 256 with D = 16, the hot case, without the tail masks); and one for any D ≤ 16. */
typedef void search_fn(const hsq_nearest_plan *, const float *, int64_t, int32_t *, float *, work_t *);
#define SEARCH(D, W, full)                                                                                 \
  __attribute__((target(INT8_TARGET))) static void search_d##D##_w##W##_##full(                           \
      const hsq_nearest_plan *p, const float *V, int64_t M, int32_t *idx, float *dot, work_t *wk) {       \
    search_int8(p, V, M, idx, dot, wk, D, (D + 3) / 4, W, full);                                         \
  }
#define SEARCH_D(D) SEARCH(D, 1, 0) SEARCH(D, 2, 0) SEARCH(D, 3, 0) SEARCH(D, 4, 0)
SEARCH_D(4)
SEARCH_D(8)
SEARCH_D(16)
SEARCH(16, 4, 1)

__attribute__((target(INT8_TARGET)))
static void search_any(const hsq_nearest_plan *p, const float *V, int64_t M, int32_t *idx, float *dot, work_t *wk) {
  search_int8(p, V, M, idx, dot, wk, p->D, p->groups, p->words, 0);
}

static search_fn *search_for(const hsq_nearest_plan *p) {
  static search_fn *const fixed[3][4] = {
      {search_d4_w1_0, search_d4_w2_0, search_d4_w3_0, search_d4_w4_0},
      {search_d8_w1_0, search_d8_w2_0, search_d8_w3_0, search_d8_w4_0},
      {search_d16_w1_0, search_d16_w2_0, search_d16_w3_0, search_d16_w4_0}};
  if (p->D == 16 && p->K == 256) return search_d16_w4_1;
  const int d = p->D == 4 ? 0 : p->D == 8 ? 1 : p->D == 16 ? 2 : -1;
  return d >= 0 ? fixed[d][p->words - 1] : search_any;
}

/* 0 when done; -1 when the working memory could not be allocated (the caller falls back). */
static int plan_search_int8(const hsq_nearest_plan *p, const float *V, int64_t M, int32_t *idx, float *dot) {
  work_t *wk = NULL;
  if (posix_memalign((void **)&wk, 64, sizeof *wk) != 0) return -1;
  memset(wk, 0, sizeof *wk); /* so every candidate slot read in a round is a valid k */
  search_for(p)(p, V, M, idx, dot, wk);
  free(wk);
  return 0;
}
#endif

void hsq_nearest_plan_search(const hsq_nearest_plan *p, const float *V, int64_t M, int32_t *idx, float *dot) {
  if (M <= 0) return;
#if defined(__x86_64__)
  if (M >= PLAN_MIN_ROWS && hsq_nearest_plan_uses_int8(p) && plan_search_int8(p, V, M, idx, dot) == 0) return;
#endif
  hsq_nearest_codewords(V, M, p->D, p->ct, p->K, idx, dot, p->level);
}
