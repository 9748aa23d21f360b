/* Top-k's candidate pass (TopKCompressor.largest): every entry whose magnitude is at least a floor, with its index.
 *
 * Magnitudes are compared as bit patterns (the sign bit cleared), which order as the magnitudes do for finite
 * floats. The candidates come out in index order; the AVX-512 path compresses sixteen entries at a time and
 * gives the same candidates as the loop (it may write past the count it returns, never past `capacity`).
 */
#include "kernels.h"
#include "cpu_features.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static int64_t at_least_from(const float *x, int64_t n, uint32_t floor, uint32_t *bits, uint32_t *indices,
                             int64_t capacity, int64_t i, int64_t count) {
  for (; i < n; i++) {
    uint32_t a;
    memcpy(&a, x + i, sizeof a);
    a &= 0x7FFFFFFFu;
    if (a >= floor) {
      if (count == capacity) return -1;
      bits[count] = a;
      indices[count] = (uint32_t)i;
      count++;
    }
  }
  return count;
}

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static int64_t at_least_avx512(const float *x, int64_t n, uint32_t floor, uint32_t *bits, uint32_t *indices,
                               int64_t capacity) {
  const __m512i signless = _mm512_set1_epi32(0x7FFFFFFF), low = _mm512_set1_epi32((int)floor);
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  int64_t count = 0, i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i a = _mm512_and_si512(_mm512_loadu_si512(x + i), signless);
    const __mmask16 kept = _mm512_cmpge_epu32_mask(a, low);
    if (kept == 0) continue;
    const int64_t found = __builtin_popcount(kept);
    if (count + found > capacity) return -1;
    const __m512i at = _mm512_add_epi32(lanes, _mm512_set1_epi32((int)i));
    if (count + 16 <= capacity) {
      /* Compressed in a register and stored whole (the lanes past `found` are overwritten by the next store, or lie
       * past the count returned): a compressing store to memory is microcoded on AMD's Zen 4 and 5, 16× slower here. */
      _mm512_storeu_si512(bits + count, _mm512_maskz_compress_epi32(kept, a));
      _mm512_storeu_si512(indices + count, _mm512_maskz_compress_epi32(kept, at));
    } else {
      _mm512_mask_compressstoreu_epi32(bits + count, kept, a);
      _mm512_mask_compressstoreu_epi32(indices + count, kept, at);
    }
    count += found;
  }
  return at_least_from(x, n, floor, bits, indices, capacity, i, count);
}
#endif

int64_t hsq_magnitudes_at_least(const float *x, int64_t n, uint32_t floor, uint32_t *bits, uint32_t *indices,
                                int64_t capacity, hsq_kernel_level level) {
#if defined(__x86_64__)
  if (level <= HSQ_KERNELS_AVX512 && hsq_cpu_has_avx512f()) return at_least_avx512(x, n, floor, bits, indices, capacity);
#endif
  (void)level;
  return at_least_from(x, n, floor, bits, indices, capacity, 0, 0);
}
