/* The unnormalized fast Walsh–Hadamard transform, in place.
 *
 * Level h (h = 1, 2, 4, …) replaces every pair (x_i, x_{i+h}) with i's bit h clear by
 * (x_i + x_{i+h}, x_i − x_{i+h}). A level's butterflies are independent, and for h below a block
 * of B entries they stay inside aligned blocks, so the levels below B run block by block while
 * the block is in L1; the levels from B up run two at a time (each radix-4 butterfly is two
 * levels' butterflies on four entries, the same sums in the same order). Every entry sees the
 * same sequence of IEEE additions and subtractions as the level-by-level loop, so the result is
 * the same bit for bit (tested against it).
 */
#include "kernels.h"

/* Entries per L1 block (16 KB of floats). */
#define FWHT_BLOCK 4096

static void one_level(float *x, int64_t n, int64_t h) {
  for (int64_t i = 0; i < n; i += h << 1) {
    float *a = x + i, *b = x + i + h;
    for (int64_t j = 0; j < h; j++) {
      const float u = a[j], w = b[j];
      a[j] = u + w;
      b[j] = u - w;
    }
  }
}

/* Levels h and 2h together: the butterflies of level h on (a, b) and (c, d), then of level 2h. */
static void two_levels(float *x, int64_t n, int64_t h) {
  for (int64_t i = 0; i < n; i += h << 2) {
    float *a = x + i, *b = a + h, *c = b + h, *d = c + h;
    for (int64_t j = 0; j < h; j++) {
      const float p = a[j] + b[j], q = a[j] - b[j], r = c[j] + d[j], s = c[j] - d[j];
      a[j] = p + r;
      c[j] = p - r;
      b[j] = q + s;
      d[j] = q - s;
    }
  }
}

void hsq_fwht(float *x, int64_t n) {
  const int64_t block = n < FWHT_BLOCK ? n : FWHT_BLOCK;
  for (int64_t start = 0; start < n; start += block) {
    for (int64_t h = 1; h < block; h <<= 1) one_level(x + start, block, h);
  }
  int64_t h = block;
  for (; (h << 1) < n; h <<= 2) two_levels(x, n, h);
  if (h < n) one_level(x, n, h);
}
