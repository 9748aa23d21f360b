/* Uniforms from hsq's random streams (RandomStream: xoshiro256**, Blackman & Vigna 2018), two per draw.
 *
 * A stream is one serial chain of states, so the states come from a scalar loop with them in registers; each draw's
 * output function and its conversion then run over a block of draws, plain C compiled for baseline x86-64 (or any other CPU) and, where the
 * CPU has it, AVX-512 or AVX2, which clang vectorizes. Integer shifts and exact int-to-float conversions of values
 * below 2²⁴ round the same in every lane: every path gives RandomStream.uniformFloatPair's values.
 */
#include "kernels.h"
#include "cpu_features.h"
#include "xoshiro.h"
#include <stddef.h>

#define BLOCK 256

/* The states' s1 words of the next `count` draws from `state`, advanced: the serial part of a draw. Each draw is
 * then rotl(s1·5, 7)·9 of its s1 (OUTPUT), computed over the block where it vectorizes. */
static void draw_words(uint64_t state[4], int64_t count, uint64_t *out) {
  uint64_t s0 = state[0], s1 = state[1], s2 = state[2], s3 = state[3];
  for (int64_t i = 0; i < count; i++) {
    out[i] = s1;
    hsq_xoshiro_advance(&s0, &s1, &s2, &s3);
  }
  state[0] = s0, state[1] = s1, state[2] = s2, state[3] = s3;
}

#define OUTPUT(s1) hsq_xoshiro_output(s1)

#define FLOAT_PAIRS_LOOP                                                     \
  for (int64_t i = 0; i < n; i++) {                                          \
    const uint64_t x = OUTPUT(words[i]);                                     \
    out[2 * i] = (float)(int32_t)(x >> 40) * 0x1p-24f;                       \
    out[2 * i + 1] = (float)(int32_t)((x >> 8) & 0xFFFFFFu) * 0x1p-24f;      \
  }
#define BITS23_PAIRS_LOOP                                                    \
  for (int64_t i = 0; i < n; i++) {                                          \
    const uint64_t x = OUTPUT(words[i]);                                     \
    out[2 * i] = (uint32_t)(x >> 41);                                        \
    out[2 * i + 1] = (uint32_t)((x >> 18) & 0x7FFFFFu);                      \
  }

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512cd,avx512bw,avx512vl")))
static void float_pairs_avx512(const uint64_t *restrict words, int64_t n, void *restrict bytes) { float *restrict out = bytes; FLOAT_PAIRS_LOOP }
__attribute__((target("avx2")))
static void float_pairs_avx2(const uint64_t *restrict words, int64_t n, void *restrict bytes) { float *restrict out = bytes; FLOAT_PAIRS_LOOP }
__attribute__((target("avx512f,avx512cd,avx512bw,avx512vl")))
static void bits23_pairs_avx512(const uint64_t *restrict words, int64_t n, void *restrict bytes) { uint32_t *restrict out = bytes; BITS23_PAIRS_LOOP }
__attribute__((target("avx2")))
static void bits23_pairs_avx2(const uint64_t *restrict words, int64_t n, void *restrict bytes) { uint32_t *restrict out = bytes; BITS23_PAIRS_LOOP }
#endif
static void float_pairs_portable(const uint64_t *restrict words, int64_t n, void *restrict bytes) { float *restrict out = bytes; FLOAT_PAIRS_LOOP }
static void bits23_pairs_portable(const uint64_t *restrict words, int64_t n, void *restrict bytes) { uint32_t *restrict out = bytes; BITS23_PAIRS_LOOP }

typedef void (*convert_fn)(const uint64_t *restrict words, int64_t n, void *restrict out);

/* A conversion that exists only on x86-64 (NULL elsewhere, where `conversion` never returns it). */
#if defined(__x86_64__)
#define X86_ONLY(fn) fn
#else
#define X86_ONLY(fn) NULL
#endif

/* `pairs` draws from `state` in blocks, each block's words converted to 2 values of `size` bytes a draw. */
static void fill_pairs(uint64_t state[4], int64_t pairs, char *out, size_t size, convert_fn convert) {
  uint64_t block[BLOCK];
  for (int64_t done = 0; done < pairs; done += BLOCK) {
    const int64_t n = pairs - done < BLOCK ? pairs - done : BLOCK;
    draw_words(state, n, block);
    convert(block, n, out + 2 * (size_t)done * size);
  }
}

/* The conversion to run under `level` on this CPU: AVX-512, AVX2 or portable C. */
static convert_fn conversion(hsq_kernel_level level, convert_fn avx512, convert_fn avx2, convert_fn portable) {
#if defined(__x86_64__)
  if (level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512_bw_cd()) return avx512;
  if (level <= HSQ_KERNELS_AVX2 && hsq_cpu_has_avx2_fma()) return avx2;
#endif
  (void)level, (void)avx512, (void)avx2;
  return portable;
}

void hsq_uniform_float_pairs(uint64_t state[4], int64_t pairs, float *out, hsq_kernel_level level) {
  fill_pairs(state, pairs, (char *)out, sizeof *out, conversion(level, X86_ONLY(float_pairs_avx512), X86_ONLY(float_pairs_avx2), float_pairs_portable));
}

void hsq_uniform23_pairs(uint64_t state[4], int64_t pairs, uint32_t *out, hsq_kernel_level level) {
  fill_pairs(state, pairs, (char *)out, sizeof *out, conversion(level, X86_ONLY(bits23_pairs_avx512), X86_ONLY(bits23_pairs_avx2), bits23_pairs_portable));
}
