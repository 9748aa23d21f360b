#ifndef HSQ_CKERNELS_H
#define HSQ_CKERNELS_H
#include <stdint.h>

/// Nearest codeword by absolute inner product, fused: never materializes the M×K matrix.
///
/// For each row v_m of V (M×D, row-major) writes idx[m] = argmax_k |<c_k, v_m>|
/// (first index on ties) and dot[m] = <c_{idx[m]}, v_m>. The codebook is given
/// transposed, CT (D×K, row-major), so eight codewords load as one AVX2 vector.
/// Uses AVX2+FMA when the CPU has them (checked at run time), else portable C.
void hsq_nearest_codewords(const float *V, int64_t M, int32_t D,
                           const float *CT, int32_t K,
                           int32_t *idx, float *dot);

/// Forces the portable path (for tests comparing the two); 0 restores dispatch.
void hsq_kernels_force_portable(int force);

/// 1 when the AVX2+FMA path is in use.
int hsq_kernels_use_avx2(void);

/// In-place unnormalized fast Walsh–Hadamard transform of x (n a power of two).
void hsq_fwht(float *x, int64_t n);

#endif
