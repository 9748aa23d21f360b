#ifndef HSQ_NEAREST_INTERNAL_H
#define HSQ_NEAREST_INTERNAL_H
#include <stdint.h>

/* Shared between nearest.c and nearest_int8.c (not part of the public header). */

/// 1 while hsq_kernels_force_portable(1) is in effect.
int hsq_kernels_forced_portable(void);

/// The portable float search (the reference every other path must match bit for bit).
void hsq_nearest_portable(const float *V, int64_t M, int32_t D, const float *CT, int32_t K,
                          int32_t *idx, float *dot);

/// One float SIMD path (HSQ_PATH_AVX2 or HSQ_PATH_AVX512); -1 when the CPU lacks it or K is too small.
int hsq_nearest_float_path(int path, const float *V, int64_t M, int32_t D, const float *CT, int32_t K,
                           int32_t *idx, float *dot);
#endif
