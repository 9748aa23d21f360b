/* Nearest codeword by |inner product|, screened exactly with int8 products (AVX512-VNNI).
 *
 * For a row v (D ≤ 16) the int8 products
 *   I_k = Σ_d q_d·Q_kd,   q_d = round(v_d·ι), ι = fl(127/max|v|),   Q_kd = round(c_kd/s_c)
 * are exact integers. With a_k = s_c·I_k/ι (a real number), the float dot
 * s_k (fmaf accumulated over d in order) satisfies |s_k − a_k| ≤ ε where
 *   ε = ‖v‖·(max_k‖c_k − s_c·Q_k‖ + γ_D·max_k‖c_k‖) + ‖v − q/ι‖·max_k‖s_c·Q_k‖ + D·2^-150,
 * ‖v − q/ι‖ ≤ √D·(1/2 + 2^-17)/ι  (Cauchy–Schwarz on both quantization errors, the
 * standard γ_D bound on a length-D fmaf chain, 2^-150 per step for underflow).
 * With S = max_k |s_k|: max|a| ≤ S + ε; every k with |s_k| = S has |a_k| ≥ S − ε ≥ max|a| − 2ε;
 * every k with |a_k| < max|a| − 2ε has |s_k| < S. So re-ranking, in float and in index
 * order, the k with |I_k| ≥ max|I| − T, T ≥ 2ε·ι/s_c, returns exactly the answer of the
 * full float search: the same first index on ties and the same float dot (the re-ranking
 * runs the same fmaf chain as the other paths, per lane).
 *
 * Rows that are all zero get (0, +0) directly (what the fmaf chain gives); rows with a
 * non-finite entry or a magnitude outside [2^-50, 2^50] take the portable float search.
 */
#include "kernels.h"
#include "nearest_internal.h"
#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct hsq_nearest_plan {
  int32_t K, D;
  float *ct; /* D×K, the codebook transposed (float kernels) */
  float *rows; /* K×D, the codebook as given (for the lazy int8 preparation) */
  /* The int8 screen (D ≤ 16, K ≤ 1024), prepared on the first search that can use it. */
  atomic_int prepared;
  pthread_mutex_t lock;
  int int8_ok;
  int32_t KB;        /* 16-codeword blocks, K rounded up to a multiple of 64 */
  uint8_t *qc;       /* KB×4×64 bytes: lane j of (block b, group g) holds Q[16b+j][4g..4g+3] + 128 */
  float *cr;         /* K×16 floats: codeword k zero-padded to 16 (re-ranking loads) */
  uint64_t lastWord; /* valid codewords among the last 64 */
  float tq;          /* ≥ 2(max‖c − s_c·Q‖ + γ_D·max‖c‖)/s_c: multiplies ‖v‖·ι */
  float tn;          /* ≥ 2·max‖s_c·Q‖/s_c: multiplies ‖v − q/ι‖·ι */
};

static void *alloc64(size_t bytes) {
  void *p = NULL;
  if (bytes == 0) bytes = 64;
  if (posix_memalign(&p, 64, (bytes + 63) & ~(size_t)63) != 0) return NULL;
  memset(p, 0, bytes);
  return p;
}

static int cpu_has_vnni(void) {
#if defined(__x86_64__)
  static int cached = -1;
  if (cached < 0) {
    __builtin_cpu_init();
    cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vnni");
  }
  return cached;
#else
  return 0;
#endif
}

static void prepare_int8(hsq_nearest_plan *p, const float *C) {
  const int32_t K = p->K, D = p->D;
  if (D < 1 || D > 16 || K < 1 || K > 1024) return;
  double cmax = 0;
  for (size_t i = 0; i < (size_t)K * D; i++) {
    double a = fabs((double)C[i]);
    if (!(a <= 0x1p50)) return; /* NaN, infinite or huge */
    if (a > cmax) cmax = a;
  }
  if (!(cmax >= 0x1p-50)) return;
  const int32_t K64 = (K + 63) & ~63, KB = K64 / 16;
  const float sc = (float)(cmax / 127);
  p->qc = alloc64((size_t)KB * 256);
  p->cr = alloc64((size_t)K * 16 * sizeof(float));
  if (!p->qc || !p->cr) return;
  memset(p->qc, 128, (size_t)KB * 256); /* padding: Q = 0 */
  double emax = 0, nmax = 0, cnmax = 0;
  for (int32_t k = 0; k < K; k++) {
    double e2 = 0, n2 = 0, c2 = 0;
    for (int32_t d = 0; d < D; d++) {
      double c = C[(size_t)k * D + d];
      double q = nearbyint(c / (double)sc);
      if (q > 127) q = 127;
      if (q < -127) q = -127;
      double r = (double)sc * q; /* exact: 24 × 8 bits */
      e2 += (c - r) * (c - r);
      n2 += r * r;
      c2 += c * c;
      p->cr[(size_t)k * 16 + d] = (float)c;
      /* Codeword k = 64w + 16L + 4β + i sits in block 4w + β, lane 4L + i: after the two saturating packs of
       * the screen (blocks 4w..4w+3 → 64 bytes), its byte is byte 16L + 4β + i = k − 64w, so the candidate
       * masks come out in index order. */
      const int32_t w = k >> 6, pos = k & 63;
      const int32_t block = 4 * w + ((pos >> 2) & 3), lane = 4 * (pos >> 4) + (pos & 3);
      p->qc[(size_t)block * 256 + (d >> 2) * 64 + lane * 4 + (d & 3)] = (uint8_t)(int)(q + 128);
    }
    if (e2 > emax) emax = e2;
    if (n2 > nmax) nmax = n2;
    if (c2 > cnmax) cnmax = c2;
  }
  const double u = 0x1p-24, slack = 1 + 1e-6;
  const double gamma = D * u / (1 - D * u);
  p->tq = (float)(2 * (sqrt(emax) + gamma * sqrt(cnmax)) / sc * slack);
  p->tn = (float)(2 * sqrt(nmax) / sc * slack);
  p->KB = KB;
  p->lastWord = (K & 63) ? (1ULL << (K & 63)) - 1 : ~0ULL;
  p->int8_ok = 1;
}

hsq_nearest_plan *hsq_nearest_plan_create(const float *C, int32_t K, int32_t D) {
  hsq_nearest_plan *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->K = K;
  p->D = D;
  p->ct = alloc64((size_t)K * D * sizeof(float));
  p->rows = alloc64((size_t)K * D * sizeof(float));
  if (!p->ct || !p->rows || pthread_mutex_init(&p->lock, NULL) != 0) {
    free(p->ct);
    free(p->rows);
    free(p);
    return NULL;
  }
  memcpy(p->rows, C, (size_t)K * D * sizeof(float));
  for (int32_t k = 0; k < K; k++)
    for (int32_t d = 0; d < D; d++) p->ct[(size_t)d * K + k] = C[(size_t)k * D + d];
  atomic_init(&p->prepared, 0);
  return p;
}

void hsq_nearest_plan_destroy(hsq_nearest_plan *p) {
  if (!p) return;
  pthread_mutex_destroy(&p->lock);
  free(p->ct);
  free(p->rows);
  free(p->qc);
  free(p->cr);
  free(p);
}

/* Builds the int8 tables once (only on CPUs that can use them); later calls see them through the acquire. */
static int int8_ready(const hsq_nearest_plan *cp) {
  hsq_nearest_plan *p = (hsq_nearest_plan *)cp; /* the preparation is invisible to callers */
  if (!cpu_has_vnni()) return 0;
  if (!atomic_load_explicit(&p->prepared, memory_order_acquire)) {
    pthread_mutex_lock(&p->lock);
    if (!atomic_load_explicit(&p->prepared, memory_order_relaxed)) {
      prepare_int8(p, p->rows);
      atomic_store_explicit(&p->prepared, 1, memory_order_release);
    }
    pthread_mutex_unlock(&p->lock);
  }
  return p->int8_ok;
}

int hsq_nearest_plan_uses_int8(const hsq_nearest_plan *p) {
  return p && !hsq_kernels_forced_portable() && int8_ready(p);
}

#if defined(__x86_64__)
#define INT8_TARGET "avx512f,avx512bw,avx512dq,avx512vnni,fma,bmi,bmi2,popcnt"
#define GROUP 64    /* rows quantized per round */
#define CAP 4096    /* candidates held before re-ranking (≥ 2·1024 + 8: one pair's worst case) */

typedef struct {
  int32_t row; /* row of the call */
  int32_t k;
} cand_t;

typedef struct {
  int32_t qw[GROUP][4]; /* q as bytes, four per dword (D ≤ 16: four groups of four) */
  int32_t bias[GROUP];  /* −128·Σq (the codebook bytes carry +128) */
  int32_t T[GROUP];
  int32_t screen[GROUP]; /* rows of the group to screen, in order */
  int32_t nscreen;
} group_t;

/* Lane i of the result = op over the 16 lanes of r[i]. */
#define TREE16(r, OP, UNLO, UNHI, CASTD, CASTB, SH)                                                        \
  do {                                                                                                     \
    for (int i_ = 0; i_ < 8; i_++) r[i_] = OP(UNLO(r[2 * i_], r[2 * i_ + 1]), UNHI(r[2 * i_], r[2 * i_ + 1])); \
    for (int i_ = 0; i_ < 4; i_++)                                                                         \
      r[i_] = OP(CASTB(_mm512_unpacklo_pd(CASTD(r[2 * i_]), CASTD(r[2 * i_ + 1]))),                        \
                 CASTB(_mm512_unpackhi_pd(CASTD(r[2 * i_]), CASTD(r[2 * i_ + 1]))));                       \
    for (int i_ = 0; i_ < 2; i_++) r[i_] = OP(SH(r[2 * i_], r[2 * i_ + 1], 0x88), SH(r[2 * i_], r[2 * i_ + 1], 0xDD)); \
    r[0] = OP(SH(r[0], r[1], 0x88), SH(r[0], r[1], 0xDD));                                                 \
  } while (0)

#define ID(x) (x)
#define PD_I(x) _mm512_castsi512_pd(x)
#define I_PD(x) _mm512_castpd_si512(x)
#define PD_F(x) _mm512_castps_pd(x)
#define F_PD(x) _mm512_castpd_ps(x)

/* Quantizes rows [r0, r0 + n) (n ≤ GROUP): fills g; writes zero rows and the float fallback rows directly. */
__attribute__((target(INT8_TARGET), always_inline))
static inline void quantize_group(const hsq_nearest_plan *p, const float *V, int64_t r0, int n, const int D,
                                  group_t *g, int32_t *idx, float *dot) {
  const __mmask16 dm = D >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << D) - 1);
  const __m512i hi = _mm512_set1_epi32(0x58800000); /* 2^50 */
  const __m512i lo = _mm512_set1_epi32(0x26800000); /* 2^-50 */
  const __m512 tq = _mm512_set1_ps(p->tq), tn = _mm512_set1_ps(p->tn);
  g->nscreen = 0;
  for (int s = 0; s < n; s += 16) {
    const int cnt = n - s < 16 ? n - s : 16;
    __m512 x[16];
    __m512i t[16];
    for (int i = 0; i < 16; i++) {
      x[i] = i < cnt ? _mm512_maskz_loadu_ps(dm, V + (r0 + s + i) * D) : _mm512_setzero_ps();
      t[i] = _mm512_castps_si512(_mm512_abs_ps(x[i]));
    }
    TREE16(t, _mm512_max_epu32, _mm512_unpacklo_epi32, _mm512_unpackhi_epi32, PD_I, I_PD, _mm512_shuffle_i32x4);
    const __m512i amaxBits = t[0]; /* lane i: max|v| of row s + i, as bits (NaN above +inf) */
    const __mmask16 valid = (__mmask16)((1u << cnt) - 1);
    const __mmask16 zero = _mm512_cmpeq_epi32_mask(amaxBits, _mm512_setzero_si512()) & valid;
    const __mmask16 out = (_mm512_cmpgt_epu32_mask(amaxBits, hi) | _mm512_cmplt_epu32_mask(amaxBits, lo)) & valid & ~zero;
    const __mmask16 ok = valid & ~zero & ~out;
    const __m512 amax = _mm512_castsi512_ps(amaxBits);
    const __m512 inv = _mm512_maskz_div_ps(ok, _mm512_set1_ps(127.0f), amax);
    float invs[16];
    _mm512_storeu_ps(invs, inv);
    const __m512 sv = _mm512_maskz_div_ps(ok, _mm512_set1_ps(1.0f), inv); /* fl(1/ι) */
    float svs[16];
    _mm512_storeu_ps(svs, sv);
    __m512 sq[16], se[16];
    __m512i q[16];
    for (int i = 0; i < 16; i++) {
      q[i] = _mm512_cvt_roundps_epi32(_mm512_mul_ps(x[i], _mm512_set1_ps(invs[i])),
                                      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      const __m512 e = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(q[i]), _mm512_set1_ps(svs[i]), x[i]); /* v − q·fl(1/ι), one rounding */
      sq[i] = _mm512_mul_ps(x[i], x[i]);
      se[i] = _mm512_mul_ps(e, e);
      _mm_storeu_si128((__m128i *)g->qw[s + i], _mm512_cvtepi32_epi8(q[i]));
    }
    TREE16(q, _mm512_add_epi32, _mm512_unpacklo_epi32, _mm512_unpackhi_epi32, PD_I, I_PD, _mm512_shuffle_i32x4);
    TREE16(sq, _mm512_add_ps, _mm512_unpacklo_ps, _mm512_unpackhi_ps, PD_F, F_PD, _mm512_shuffle_f32x4);
    TREE16(se, _mm512_add_ps, _mm512_unpacklo_ps, _mm512_unpackhi_ps, PD_F, F_PD, _mm512_shuffle_f32x4);
    const __m512i bias = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(q[0], 7));
    /* ‖v‖·ι and ‖v − q/ι‖·ι; the latter ≤ (1 + u)‖v − q·fl(1/ι)‖·ι + √D·127u (the +2 below covers the last term) */
    const __m512 nvinv = _mm512_mul_ps(_mm512_sqrt_ps(sq[0]), inv);
    const __m512 neinv = _mm512_mul_ps(_mm512_sqrt_ps(se[0]), inv);
    __m512 tf = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_fmadd_ps(nvinv, tq, _mm512_mul_ps(neinv, tn)), _mm512_set1_ps(1 + 0x1p-10f)),
                                _mm512_set1_ps(1.0f), _mm512_set1_ps(2.0f));
    tf = _mm512_min_ps(tf, _mm512_set1_ps(1e9f));
    _mm512_storeu_si512(g->bias + s, bias);
    _mm512_storeu_si512(g->T + s, _mm512_cvttps_epi32(tf));
    unsigned z = zero, o = out, k = ok;
    while (z) {
      int i = __builtin_ctz(z);
      z &= z - 1;
      idx[r0 + s + i] = 0;
      dot[r0 + s + i] = 0.0f;
    }
    while (o) {
      int i = __builtin_ctz(o);
      o &= o - 1;
      hsq_nearest_portable(V + (r0 + s + i) * D, 1, D, p->ct, p->K, idx + r0 + s + i, dot + r0 + s + i);
    }
    while (k) {
      int i = __builtin_ctz(k);
      k &= k - 1;
      g->screen[g->nscreen++] = s + i;
    }
  }
}

/* Appends the set bits of one 64-codeword word as candidates; two without branches, more in a loop. */
static inline __attribute__((always_inline)) int emit(cand_t *c, int n, int32_t row, int32_t base, uint64_t w) {
  c[n].row = row;
  c[n].k = base + (int32_t)__builtin_ctzll(w | (1ULL << 63));
  n += w != 0;
  w &= w - 1;
  c[n].row = row;
  c[n].k = base + (int32_t)__builtin_ctzll(w | (1ULL << 63));
  n += w != 0;
  w &= w - 1;
  while (__builtin_expect(w != 0, 0)) {
    c[n].row = row;
    c[n].k = base + (int32_t)__builtin_ctzll(w);
    n++;
    w &= w - 1;
  }
  return n;
}

/* One screened pair of rows between its products and its candidates. */
typedef struct {
  int32_t rowA, rowB; /* rows of the call; rowB < 0 when the pair is a single row */
  int32_t thrA, thrB; /* the candidate threshold in the 16-bit domain, minus one (≥ −1) */
} pending_t;

/* The screen runs in a 16-bit domain: g_k = |I_k >> 3| (fits: |I| ≤ 16·127·127 < 8·32767), with
 * ⌊|I|/8⌋ ≤ g ≤ ⌈|I|/8⌉. Taking every k with g_k ≥ max g − (⌊T/8⌋ + 2) keeps every k with
 * |I_k| ≥ max|I| − T (a superset is exact: the re-ranking decides). */
__attribute__((target(INT8_TARGET), always_inline))
static inline int32_t threshold16(__m512i mx, int32_t T) {
  const int32_t G = (int32_t)_mm512_reduce_max_epi32(_mm512_max_epi32(_mm512_srli_epi32(mx, 16), _mm512_and_si512(mx, _mm512_set1_epi32(0xffff))));
  const int32_t t = G - ((T >> 3) + 2) - 1;
  return t < -1 ? -1 : t;
}

/* The int8 products of two rows (the codebook loads are shared), as 16-bit g for pairs of blocks, and the thresholds. */
__attribute__((target(INT8_TARGET), always_inline))
static inline void products_pair(const hsq_nearest_plan *p, const group_t *g, int ia, int ib,
                                 __m512i *bufA, __m512i *bufB, pending_t *pd, const int KB) {
  const uint8_t *qc = p->qc;
  __m512i va[4], vb[4];
  for (int j = 0; j < 4; j++) {
    va[j] = _mm512_set1_epi32(g->qw[ia][j]);
    vb[j] = _mm512_set1_epi32(g->qw[ib][j]);
  }
  const __m512i biasA = _mm512_set1_epi32(g->bias[ia]), biasB = _mm512_set1_epi32(g->bias[ib]);
  __m512i mxA = _mm512_setzero_si512(), mxB = _mm512_setzero_si512();
  for (int b = 0; b < KB; b += 2) {
    __m512i a0 = biasA, a1 = biasA, e0 = biasB, e1 = biasB;
    for (int j = 0; j < 4; j++) {
      const __m512i c0 = _mm512_load_si512((const void *)(qc + b * 256 + j * 64));
      const __m512i c1 = _mm512_load_si512((const void *)(qc + (b + 1) * 256 + j * 64));
      a0 = _mm512_dpbusd_epi32(a0, c0, va[j]);
      e0 = _mm512_dpbusd_epi32(e0, c0, vb[j]);
      a1 = _mm512_dpbusd_epi32(a1, c1, va[j]);
      e1 = _mm512_dpbusd_epi32(e1, c1, vb[j]);
    }
    const __m512i xa = _mm512_abs_epi16(_mm512_packs_epi32(_mm512_srai_epi32(a0, 3), _mm512_srai_epi32(a1, 3)));
    const __m512i xe = _mm512_abs_epi16(_mm512_packs_epi32(_mm512_srai_epi32(e0, 3), _mm512_srai_epi32(e1, 3)));
    bufA[b >> 1] = xa;
    bufB[b >> 1] = xe;
    mxA = _mm512_max_epi16(mxA, xa);
    mxB = _mm512_max_epi16(mxB, xe);
  }
  pd->thrA = threshold16(mxA, g->T[ia]);
  pd->thrB = threshold16(mxB, g->T[ib]);
}

/* The position of the j-th set bit (j < popcount) of the 256-bit mask w[0..3], pre[q] = set bits before word q. */
__attribute__((target(INT8_TARGET), always_inline))
static inline int32_t nth_bit256(const uint64_t *w, const int32_t *pre, int32_t j) {
  const int32_t q = (j >= pre[1]) + (j >= pre[2]) + (j >= pre[3]);
  return 64 * q + (int32_t)__builtin_ctzll(_pdep_u64(1ULL << (j - pre[q]), w[q]) | (1ULL << 63));
}

/* The candidates of one row, in index order: sign bits of thr − g, packed to bytes (signs survive saturation). */
__attribute__((target(INT8_TARGET), always_inline))
static inline int select_row(const hsq_nearest_plan *p, const __m512i *buf, int32_t thr, int32_t row,
                             cand_t *c, int n, const int KB) {
  const __m512i t = _mm512_set1_epi16((short)thr);
  const int NW = KB / 4;
  uint64_t w[KB / 4];
  for (int q = 0; q < NW; q++) {
    const __m512i d0 = _mm512_sub_epi16(t, buf[2 * q]), d1 = _mm512_sub_epi16(t, buf[2 * q + 1]);
    w[q] = _cvtmask64_u64(_mm512_movepi8_mask(_mm512_packs_epi16(d0, d1)));
  }
  w[NW - 1] &= p->lastWord;
  if (NW == 4) {
    /* Two candidates without branches (most rows have one or two), the rest in a loop. */
    int32_t pre[4];
    pre[0] = 0;
    pre[1] = (int32_t)__builtin_popcountll(w[0]);
    pre[2] = pre[1] + (int32_t)__builtin_popcountll(w[1]);
    pre[3] = pre[2] + (int32_t)__builtin_popcountll(w[2]);
    const int32_t total = pre[3] + (int32_t)__builtin_popcountll(w[3]);
    c[n].row = row;
    c[n].k = nth_bit256(w, pre, 0);
    c[n + 1].row = row;
    c[n + 1].k = nth_bit256(w, pre, 1);
    for (int32_t j = 2; __builtin_expect(j < total, 0); j++) {
      c[n + j].row = row;
      c[n + j].k = nth_bit256(w, pre, j);
    }
    return n + total;
  }
  for (int q = 0; q < NW; q++) n = emit(c, n, row, 64 * q, w[q]);
  return n;
}

/* 16×16 transpose in registers: r[i] lane d ↔ r[d] lane i. */
__attribute__((target(INT8_TARGET), always_inline))
static inline void transpose16(__m512 *r) {
  __m512 t[16], u[16];
  for (int i = 0; i < 8; i++) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; i++) {
    u[4 * i + 0] = F_PD(_mm512_unpacklo_pd(PD_F(t[4 * i + 0]), PD_F(t[4 * i + 2])));
    u[4 * i + 1] = F_PD(_mm512_unpackhi_pd(PD_F(t[4 * i + 0]), PD_F(t[4 * i + 2])));
    u[4 * i + 2] = F_PD(_mm512_unpacklo_pd(PD_F(t[4 * i + 1]), PD_F(t[4 * i + 3])));
    u[4 * i + 3] = F_PD(_mm512_unpackhi_pd(PD_F(t[4 * i + 1]), PD_F(t[4 * i + 3])));
  }
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 4; j++) {
      t[8 * i + j] = _mm512_shuffle_f32x4(u[8 * i + j], u[8 * i + 4 + j], 0x88);
      t[8 * i + 4 + j] = _mm512_shuffle_f32x4(u[8 * i + j], u[8 * i + 4 + j], 0xDD);
    }
  for (int j = 0; j < 8; j++) {
    r[j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0x88);
    r[8 + j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0xDD);
  }
}

/* The float dot of every candidate, sixteen at a time (candidate i in lane i: the same fmaf chain over d),
 * then the first-index arg-max per row; candidates come grouped by row, k ascending. */
__attribute__((target(INT8_TARGET), always_inline))
static inline void rerank(const hsq_nearest_plan *p, const float *V, const cand_t *c, int n, const int D,
                          int32_t *idx, float *dot) {

  const __mmask16 dm = D >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << D) - 1);
  int32_t prev = -1, bestK = 0, best = 0, bestDot = 0;
  for (int e0 = 0; e0 < n; e0 += 16) {
    const int cnt = n - e0 < 16 ? n - e0 : 16;
    __m512 vr[16], cw[16];
    for (int i = 0; i < 16; i++) {
      const cand_t *e = c + e0 + (i < cnt ? i : cnt - 1);
      vr[i] = _mm512_maskz_loadu_ps(dm, V + (int64_t)e->row * D);
      cw[i] = _mm512_load_ps(p->cr + (int64_t)e->k * 16);
    }
    transpose16(vr);
    transpose16(cw);
    __m512 s = _mm512_setzero_ps();
    for (int d = 0; d < D; d++) s = _mm512_fmadd_ps(vr[d], cw[d], s);
    /* Branch-free: |s| compared as bit patterns (non-negative floats order like integers). */
    int32_t bits[16];
    _mm512_storeu_si512(bits, _mm512_castps_si512(s));
    for (int i = 0; i < cnt; i++) {
      const int32_t row = c[e0 + i].row;
      const int32_t a = bits[i] & 0x7fffffff;
      /* (best − a) < 0 ⟺ a > best (both in [0, 2^31)); a new row always takes its first candidate. */
      const uint32_t take = (uint32_t)(row != prev) | ((uint32_t)(best - a) >> 31);
      const int32_t mask = -(int32_t)take;
      prev = row;
      best = (a & mask) | (best & ~mask);
      bestK = (c[e0 + i].k & mask) | (bestK & ~mask);
      bestDot = (bits[i] & mask) | (bestDot & ~mask);
      idx[row] = bestK;
      memcpy(dot + row, &bestDot, 4);
    }
  }
}

/* Scratch of one search (heap: a worker thread's stack may be small). */
typedef struct {
  group_t g;
  __m512i buf[2][2][32]; /* [pair parity][row of pair][pair of blocks], KB ≤ 64 */
  cand_t c[CAP];
} scratch_t;

/* Quantize 64 rows at a time; screen pairs of rows, software-pipelined (the candidates of pair i are
 * selected after the products of pair i + 1, so their latency overlaps); re-rank when the list fills. */
__attribute__((target(INT8_TARGET), always_inline))
static inline void nearest_int8_impl(const hsq_nearest_plan *p, const float *V, int64_t M, int32_t *idx, float *dot,
                                     scratch_t *sc, const int D, const int KB) {
  group_t *g = &sc->g;
  cand_t *c = sc->c;
  int n = 0, par = 0, havePending = 0;
  pending_t pend = {0, -1, 0, 0};
  const int need = 2 * KB * 16 + 8; /* the most one pair can append */
  for (int64_t r0 = 0; r0 < M; r0 += GROUP) {
    const int rows = M - r0 < GROUP ? (int)(M - r0) : GROUP;
    quantize_group(p, V, r0, rows, D, g, idx, dot);
    for (int i = 0; i < g->nscreen; i += 2) {
      const int ia = g->screen[i], ib = i + 1 < g->nscreen ? g->screen[i + 1] : ia;
      pending_t next = {(int32_t)(r0 + ia), ib != ia ? (int32_t)(r0 + ib) : -1, 0, 0};
      products_pair(p, g, ia, ib, sc->buf[par][0], sc->buf[par][1], &next, KB);
      if (havePending) {
        if (n + need > CAP) {
          rerank(p, V, c, n, D, idx, dot);
          n = 0;
        }
        n = select_row(p, sc->buf[par ^ 1][0], pend.thrA, pend.rowA, c, n, KB);
        if (pend.rowB >= 0) n = select_row(p, sc->buf[par ^ 1][1], pend.thrB, pend.rowB, c, n, KB);
      }
      pend = next;
      havePending = 1;
      par ^= 1;
    }
  }
  if (havePending) {
    if (n + need > CAP) {
      rerank(p, V, c, n, D, idx, dot);
      n = 0;
    }
    n = select_row(p, sc->buf[par ^ 1][0], pend.thrA, pend.rowA, c, n, KB);
    if (pend.rowB >= 0) n = select_row(p, sc->buf[par ^ 1][1], pend.thrB, pend.rowB, c, n, KB);
  }
  rerank(p, V, c, n, D, idx, dot);
}

__attribute__((target(INT8_TARGET)))
static void nearest_int8_d16_k256(const hsq_nearest_plan *p, const float *V, int64_t M, int32_t *idx, float *dot,
                                  scratch_t *sc) {
  nearest_int8_impl(p, V, M, idx, dot, sc, 16, 16);
}

__attribute__((target(INT8_TARGET)))
static void nearest_int8_any(const hsq_nearest_plan *p, const float *V, int64_t M, int32_t *idx, float *dot,
                             scratch_t *sc) {
  nearest_int8_impl(p, V, M, idx, dot, sc, p->D, p->KB);
}

static int nearest_int8(const hsq_nearest_plan *p, const float *V, int64_t M, int32_t *idx, float *dot) {
  scratch_t *sc = NULL;
  if (posix_memalign((void **)&sc, 64, sizeof *sc) != 0) return -1;
  /* Candidate rows are int32: split enormous calls. */
  const int64_t chunk = (int64_t)1 << 30;
  for (int64_t m = 0; m < M; m += chunk) {
    int64_t rows = M - m < chunk ? M - m : chunk;
    if (p->D == 16 && p->KB == 16) nearest_int8_d16_k256(p, V + m * p->D, rows, idx + m, dot + m, sc);
    else nearest_int8_any(p, V + m * p->D, rows, idx + m, dot + m, sc);
  }
  free(sc);
  return 0;
}
#endif

int hsq_nearest_plan_search_path(const hsq_nearest_plan *p, int path, const float *V, int64_t M,
                                 int32_t *idx, float *dot) {
  if (M <= 0) return 0;
  switch (path) {
  case HSQ_PATH_PORTABLE:
    hsq_nearest_portable(V, M, p->D, p->ct, p->K, idx, dot);
    return 0;
  case HSQ_PATH_AVX2:
  case HSQ_PATH_AVX512:
    return hsq_nearest_float_path(path, V, M, p->D, p->ct, p->K, idx, dot);
  case HSQ_PATH_INT8:
#if defined(__x86_64__)
    if (!int8_ready(p)) return -1;
    return nearest_int8(p, V, M, idx, dot);
#else
    return -1;
#endif
  default:
    return -1;
  }
}

void hsq_nearest_plan_search(const hsq_nearest_plan *p, const float *V, int64_t M, int32_t *idx, float *dot) {
  if (M <= 0) return;
#if defined(__x86_64__)
  if (hsq_nearest_plan_uses_int8(p) && nearest_int8(p, V, M, idx, dot) == 0) return;
#endif
  hsq_nearest_codewords(V, M, p->D, p->ct, p->K, idx, dot);
}
