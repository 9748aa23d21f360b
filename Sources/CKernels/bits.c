/* Fixed-width codes in BitPacker's layout (the first code in the lowest bits, bytes in order), whole bytes at a time.
 *
 * The width is a constant in each loop, so that clang vectorizes it; compiled for baseline x86-64 (or any other
 * CPU) and, where the CPU has it, for AVX-512. Every path writes the bytes BitPacker's word loop writes, and reads
 * back the codes BitUnpacker's gives (tested against them). Below them, pairs of fields at any bit offset, as
 * HSQ's payloads hold their (codeword, scalar) pairs.
 */
#include "kernels.h"
#include "cpu_features.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define PACK_NARROW(W)                                                              \
  for (int64_t b = 0; b < n / (8 / W); b++) {                                       \
    uint32_t byte = 0;                                                              \
    for (int t = 0; t < 8 / W; t++) byte |= codes[b * (8 / W) + t] << (t * W);      \
    out[b] = (uint8_t)byte;                                                         \
  }
#define UNPACK_NARROW(W)                                                            \
  for (int64_t b = 0; b < n / (8 / W); b++) {                                       \
    const uint32_t byte = in[b];                                                    \
    for (int t = 0; t < 8 / W; t++) codes[b * (8 / W) + t] = (byte >> (t * W)) & ((1u << W) - 1); \
  }

/* Nine bits (natural's codes): eight codes in nine bytes, the first 64 bits and the eighth code's top eight. */
#define PACK_NINE                                                                   \
  for (int64_t g = 0; g < n / 8; g++) {                                             \
    const uint32_t *c = codes + 8 * g;                                              \
    uint64_t low = 0;                                                               \
    for (int t = 0; t < 8; t++) low |= (uint64_t)c[t] << (9 * t);                   \
    for (int b = 0; b < 8; b++) out[9 * g + b] = (uint8_t)(low >> (8 * b));         \
    out[9 * g + 8] = (uint8_t)(c[7] >> 1);                                          \
  }
#define UNPACK_NINE                                                                 \
  for (int64_t g = 0; g < n / 8; g++) {                                             \
    uint64_t low = 0;                                                               \
    for (int b = 0; b < 8; b++) low |= (uint64_t)in[9 * g + b] << (8 * b);          \
    for (int t = 0; t < 7; t++) codes[8 * g + t] = (uint32_t)(low >> (9 * t)) & 511u; \
    codes[8 * g + 7] = (uint32_t)(low >> 63) | (uint32_t)in[9 * g + 8] << 1;       \
  }

#define PACK_BODY                                                                   \
  switch (width) {                                                                  \
  case 1: PACK_NARROW(1) break;                                                     \
  case 2: PACK_NARROW(2) break;                                                     \
  case 4: PACK_NARROW(4) break;                                                     \
  case 8: for (int64_t i = 0; i < n; i++) out[i] = (uint8_t)codes[i]; break;        \
  case 9: PACK_NINE break;                                                          \
  default:                                                                          \
    for (int64_t i = 0; i < n; i++) {                                               \
      out[2 * i] = (uint8_t)codes[i];                                               \
      out[2 * i + 1] = (uint8_t)(codes[i] >> 8);                                    \
    }                                                                               \
  }
#define UNPACK_BODY                                                                 \
  switch (width) {                                                                  \
  case 1: UNPACK_NARROW(1) break;                                                   \
  case 2: UNPACK_NARROW(2) break;                                                   \
  case 4: UNPACK_NARROW(4) break;                                                   \
  case 8: for (int64_t i = 0; i < n; i++) codes[i] = in[i]; break;                  \
  case 9: UNPACK_NINE break;                                                        \
  default:                                                                          \
    for (int64_t i = 0; i < n; i++) codes[i] = (uint32_t)in[2 * i] | (uint32_t)in[2 * i + 1] << 8; \
  }

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512bw,avx512vl")))
static void pack_avx512(const uint32_t *restrict codes, int64_t n, int32_t width, uint8_t *restrict out) { PACK_BODY }
__attribute__((target("avx512f,avx512bw,avx512vl")))
static void unpack_avx512(const uint8_t *restrict in, int64_t n, int32_t width, uint32_t *restrict codes) { UNPACK_BODY }
#endif
static void pack_portable(const uint32_t *restrict codes, int64_t n, int32_t width, uint8_t *restrict out) { PACK_BODY }
static void unpack_portable(const uint8_t *restrict in, int64_t n, int32_t width, uint32_t *restrict codes) { UNPACK_BODY }

void hsq_pack_codes(const uint32_t *restrict codes, int64_t n, int32_t width, uint8_t *restrict out, hsq_kernel_level level) {
#if defined(__x86_64__)
  if (level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512_bw_cd()) {
    pack_avx512(codes, n, width, out);
    return;
  }
#endif
  (void)level;
  pack_portable(codes, n, width, out);
}

void hsq_unpack_codes(const uint8_t *restrict in, int64_t n, int32_t width, uint32_t *restrict codes, hsq_kernel_level level) {
#if defined(__x86_64__)
  if (level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512_bw_cd()) {
    unpack_avx512(in, n, width, codes);
    return;
  }
#endif
  (void)level;
  unpack_portable(in, n, width, codes);
}

/* Pairs of fields at any bit offset (BitWriter's layout: least significant bit first, bytes in order), a + b ≤ 32 bits a
 * pair: each pair is one field of a + b bits, read from the 8 bytes around it and split. Only pairs whose 8 bytes lie
 * inside the buffer are read; their count m is computed first. */
static int64_t readable_pairs(int64_t byte_count, int64_t start, int64_t n, int64_t width) {
  /* A pair at bit p reads bytes p/8 ..< p/8 + 8: p may be at most last_start. */
  const int64_t last_start = (byte_count - 8) * 8 + 7;
  if (n <= 0 || byte_count < 8 || start > last_start) return 0;
  const int64_t m = width == 0 ? n : (last_start - start) / width + 1;
  return m < n ? m : n;
}

#define READ_PAIRS_FROM(FIRST_PAIR)                                                 \
  for (int64_t i = FIRST_PAIR; i < m; i++) {                                        \
    const uint64_t p = (uint64_t)(start + i * width);                               \
    uint64_t window;                                                                \
    memcpy(&window, in + (p >> 3), 8);                                              \
    window = little_endian(window);                                                 \
    const uint64_t both = (window >> (p & 7)) & pair_mask;                          \
    first[i] = (uint32_t)(both & first_mask);                                       \
    second[i] = (uint32_t)(both >> first_bits);                                     \
  }

static inline uint64_t little_endian(uint64_t word) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return __builtin_bswap64(word);
#else
  return word;
#endif
}

static void read_pairs_portable(const uint8_t *in, int64_t start, int64_t m, int32_t first_bits, int32_t second_bits,
                                uint32_t *restrict first, uint32_t *restrict second) {
  const int64_t width = first_bits + second_bits;
  const uint64_t pair_mask = (1ull << width) - 1, first_mask = (1ull << first_bits) - 1;
  READ_PAIRS_FROM(0)
}

#if defined(__x86_64__)
/* Eight pairs a step. Their 8·width bits are width whole bytes, so block b (pairs 8b ..< 8b + 8) starts at byte
 * start/8 + b·width with the same bit phase (start mod 8) as block 0: the 16-bit words each pair's 64-bit window is
 * gathered from (a permutation within the block's 64 bytes) and its shift are the same for every block. A window
 * starts at a 16-bit word, so it holds the pair's width ≤ 32 bits after a shift of at most 15. Blocks whose 64 bytes
 * would run past the buffer, and the last pairs, are read one at a time. */
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))
static void read_pairs_avx512(const uint8_t *in, int64_t byte_count, int64_t start, int64_t m, int32_t first_bits,
                              int32_t second_bits, uint32_t *restrict first, uint32_t *restrict second) {
  const int64_t width = first_bits + second_bits;
  const uint64_t pair_mask = (1ull << width) - 1, first_mask = (1ull << first_bits) - 1;
  int64_t done = 0;
  if (width > 0) {
    uint16_t words[32];
    uint64_t shifts[8];
    for (int k = 0; k < 8; k++) {
      const int64_t bit = (start & 7) + k * width;
      for (int j = 0; j < 4; j++) words[4 * k + j] = (uint16_t)((bit >> 4) + j);
      shifts[k] = (uint64_t)(bit & 15);
    }
    const __m512i permutation = _mm512_loadu_si512(words), shift = _mm512_loadu_si512(shifts);
    const __m512i pair = _mm512_set1_epi64((long long)pair_mask), low = _mm512_set1_epi64((long long)first_mask);
    const __m512i high = _mm512_set1_epi64(first_bits);
    for (; done + 8 <= m && (start >> 3) + (done / 8) * width + 64 <= byte_count; done += 8) {
      const __m512i block = _mm512_loadu_si512(in + (start >> 3) + (done / 8) * width);
      const __m512i both = _mm512_and_si512(_mm512_srlv_epi64(_mm512_permutexvar_epi16(permutation, block), shift), pair);
      _mm256_storeu_si256((__m256i *)(first + done), _mm512_cvtepi64_epi32(_mm512_and_si512(both, low)));
      _mm256_storeu_si256((__m256i *)(second + done), _mm512_cvtepi64_epi32(_mm512_srlv_epi64(both, high)));
    }
  }
  READ_PAIRS_FROM(done)
}
#endif

int64_t hsq_read_bit_pairs(const uint8_t *in, int64_t byte_count, int64_t start, int64_t n, int32_t first_bits,
                           int32_t second_bits, uint32_t *restrict first, uint32_t *restrict second, hsq_kernel_level level) {
  const int64_t m = readable_pairs(byte_count, start, n, first_bits + second_bits);
#if defined(__x86_64__)
  if (level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512_bw_cd()) {
    read_pairs_avx512(in, byte_count, start, m, first_bits, second_bits, first, second);
    return m;
  }
#endif
  (void)level;
  read_pairs_portable(in, start, m, first_bits, second_bits, first, second);
  return m;
}
