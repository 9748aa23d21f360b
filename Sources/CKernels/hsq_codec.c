/* The HSQ payload body: M (codeword index, scalar level) pairs, least significant bit first,
 * as BitWriter packs them; and the reconstruction Σ u_m·c_{k_m} the decoder writes.
 *
 * The arithmetic is exactly the Swift reference's: a scalar is lo + (float)level·Δ (a product,
 * then a sum: no FMA) or the float with the level's bit pattern; each output entry is one
 * product u·c. So every path gives the same bits.
 */
#pragma clang fp contract(off)
#include "kernels.h"
#include <immintrin.h>
#include <string.h>

static int codec_avx512(void) {
#if defined(__x86_64__)
  static int cached = -1;
  if (cached < 0) {
    __builtin_cpu_init();
    cached = __builtin_cpu_supports("avx512f");
  }
  return cached;
#else
  return 0;
#endif
}

/* Sixty-four bits of the stream starting at byte `at` (bytes past the end read as 0). */
static inline uint64_t window(const uint8_t *bytes, int64_t nbytes, int64_t at) {
  uint64_t w = 0;
  if (at + 8 <= nbytes) {
    memcpy(&w, bytes + at, 8);
  } else {
    for (int64_t i = 0; at + i < nbytes; i++) w |= (uint64_t)bytes[at + i] << (8 * i);
  }
  return w; /* little-endian hosts only (x86-64, arm64) */
}

/* Field (width ≤ 32) at bit `pos`. */
static inline uint32_t field(const uint8_t *bytes, int64_t nbytes, int64_t pos, int32_t width) {
  if (width == 0) return 0;
  uint64_t w = window(bytes, nbytes, pos >> 3) >> (pos & 7);
  return (uint32_t)(w & ((width == 32) ? 0xffffffffULL : ((1ULL << width) - 1)));
}

static inline float scalar_value(uint32_t level, int exact, float lo, float delta) {
  if (exact) {
    float f;
    memcpy(&f, &level, 4);
    return f;
  }
  return lo + (float)level * delta;
}

int64_t hsq_check_pairs(const uint8_t *bytes, int64_t nbytes, int64_t bit, int32_t indexBits, int32_t levelBits,
                        int64_t M, int32_t K, uint32_t maxLevel) {
  const int32_t stride = indexBits + levelBits;
  for (int64_t m = 0; m < M; m++) {
    int64_t pos = bit + m * stride;
    if (field(bytes, nbytes, pos, indexBits) >= (uint32_t)K) return m;
    if (field(bytes, nbytes, pos + indexBits, levelBits) > maxLevel) return m;
  }
  return -1;
}

static inline __attribute__((always_inline)) void decode_body(const uint8_t *bytes, int64_t nbytes, int64_t bit,
                                                              int32_t indexBits, int32_t levelBits, int64_t M,
                                                              int exact, float lo, float delta, const float *C,
                                                              int32_t D, int64_t length, float *out) {
  const int32_t stride = indexBits + levelBits;
  for (int64_t m = 0; m < M; m++) {
    const int64_t pos = bit + m * stride;
    const uint32_t k = field(bytes, nbytes, pos, indexBits);
    const uint32_t level = field(bytes, nbytes, pos + indexBits, levelBits);
    const float u = scalar_value(level, exact, lo, delta);
    const float *c = C + (int64_t)k * D;
    float *o = out + m * D;
    const int64_t width = length - m * D < D ? length - m * D : D;
    for (int64_t j = 0; j < width; j++) o[j] = u * c[j];
  }
}

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static void decode_avx512_d16(const uint8_t *bytes, int64_t nbytes, int64_t bit, int32_t indexBits, int32_t levelBits,
                              int64_t M, int exact, float lo, float delta, const float *C, int64_t length, float *out) {
  const int32_t stride = indexBits + levelBits;
  for (int64_t m = 0; m < M; m++) {
    const int64_t pos = bit + m * stride;
    const uint32_t k = field(bytes, nbytes, pos, indexBits);
    const uint32_t level = field(bytes, nbytes, pos + indexBits, levelBits);
    const float u = scalar_value(level, exact, lo, delta);
    const int64_t left = length - m * 16;
    const __mmask16 mask = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
    const __m512 c = _mm512_maskz_loadu_ps(mask, C + (int64_t)k * 16);
    _mm512_mask_storeu_ps(out + m * 16, mask, _mm512_mul_ps(_mm512_set1_ps(u), c));
  }
}
#endif

void hsq_decode_pairs(const uint8_t *bytes, int64_t nbytes, int64_t bit, int32_t indexBits, int32_t levelBits, int64_t M,
                      int exact, float lo, float delta, const float *C, int32_t D, int64_t length, float *out) {
#if defined(__x86_64__)
  if (D == 16 && codec_avx512()) {
    decode_avx512_d16(bytes, nbytes, bit, indexBits, levelBits, M, exact, lo, delta, C, length, out);
    return;
  }
#endif
  decode_body(bytes, nbytes, bit, indexBits, levelBits, M, exact, lo, delta, C, D, length, out);
}

void hsq_reconstruct(const int32_t *idx, const float *scalars, int64_t M, const float *C, int32_t D, int64_t length,
                     float *out) {
  for (int64_t m = 0; m < M; m++) {
    const float u = scalars[m];
    const float *c = C + (int64_t)idx[m] * D;
    float *o = out + m * D;
    const int64_t width = length - m * D < D ? length - m * D : D;
    for (int64_t j = 0; j < width; j++) o[j] = u * c[j];
  }
}

int64_t hsq_pack_pairs(uint8_t *out, uint64_t *accumulator, int32_t *pending, const uint32_t *first, int32_t firstBits,
                       const uint32_t *second, int32_t secondBits, int64_t M) {
  uint64_t acc = *accumulator;
  int32_t p = *pending; /* < 8 on entry and exit */
  int64_t n = 0;
  for (int64_t m = 0; m < M; m++) {
    acc |= (uint64_t)first[m] << p;
    p += firstBits;
    if (p >= 32) {
      uint32_t lo = (uint32_t)acc;
      memcpy(out + n, &lo, 4);
      n += 4;
      acc >>= 32;
      p -= 32;
    }
    acc |= (uint64_t)second[m] << p;
    p += secondBits;
    if (p >= 32) {
      uint32_t lo = (uint32_t)acc;
      memcpy(out + n, &lo, 4);
      n += 4;
      acc >>= 32;
      p -= 32;
    }
  }
  while (p >= 8) {
    out[n++] = (uint8_t)acc;
    acc >>= 8;
    p -= 8;
  }
  *accumulator = acc;
  *pending = p;
  return n;
}
