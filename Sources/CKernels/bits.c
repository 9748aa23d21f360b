/* Fixed-width codes in BitPacker's layout (the first code in the lowest bits, bytes in order), whole bytes at a time.
 *
 * The width is a constant in each loop, so that clang vectorizes it; compiled for baseline x86-64 (or any other
 * CPU) and, where the CPU has it, for AVX-512. Every path writes the bytes BitPacker's word loop writes, and reads
 * back the codes BitUnpacker's gives (tested against them).
 */
#include "kernels.h"
#include "cpu_features.h"
#include <string.h>

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
 * inside the buffer are read; the count is computed first, so the loop is countable. */
int64_t hsq_read_bit_pairs(const uint8_t *in, int64_t byte_count, int64_t start, int64_t n, int32_t first_bits,
                           int32_t second_bits, uint32_t *restrict first, uint32_t *restrict second) {
  const int64_t width = first_bits + second_bits;
  /* A pair at bit p reads bytes p/8 ..< p/8 + 8: p may be at most last_start. */
  const int64_t last_start = (byte_count - 8) * 8 + 7;
  if (n <= 0 || byte_count < 8 || start > last_start) return 0;
  int64_t m = width == 0 ? n : (last_start - start) / width + 1;
  if (m > n) m = n;
  const uint64_t pair_mask = (1ull << width) - 1, first_mask = (1ull << first_bits) - 1;
  for (int64_t i = 0; i < m; i++) {
    const uint64_t p = (uint64_t)(start + i * width);
    uint64_t window;
    memcpy(&window, in + (p >> 3), 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    window = __builtin_bswap64(window);
#endif
    const uint64_t both = (window >> (p & 7)) & pair_mask;
    first[i] = (uint32_t)(both & first_mask);
    second[i] = (uint32_t)(both >> first_bits);
  }
  return m;
}
