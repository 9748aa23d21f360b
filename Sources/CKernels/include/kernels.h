#ifndef HSQ_CKERNELS_H
#define HSQ_CKERNELS_H
#include <stdint.h>

/// The most a nearest-codeword search may use, chosen per call or per plan (there is no
/// process-wide switch, so tests comparing paths cannot disturb searches running beside them).
///
/// A level is a ceiling: the search takes the best path at or below it that the CPU has and
/// that suits K (AVX-512F needs K ≥ 16, AVX2+FMA K ≥ 8; below that the portable loop runs).
/// Every level gives the portable answer bit for bit.
typedef enum {
  HSQ_KERNELS_AUTO = 0,     ///< everything the CPU has, the int8 screen of plans included
  HSQ_KERNELS_AVX512 = 1,   ///< the AVX-512F float kernel at most (no int8 screen)
  HSQ_KERNELS_AVX2 = 2,     ///< the AVX2+FMA float kernel at most
  HSQ_KERNELS_PORTABLE = 3, ///< portable C only
} hsq_kernel_level;

/// Nearest codeword by absolute inner product, fused: never materializes the M×K matrix.
///
/// For each row v_m of V (M×D, row-major) writes idx[m] = argmax_k |<c_k, v_m>|
/// (first index on ties) and dot[m] = <c_{idx[m]}, v_m>. The codebook is given
/// transposed, CT (D×K, row-major), so eight codewords load as one AVX2 vector.
/// Uses the best float kernel `level` allows (see hsq_nearest_kernel).
void hsq_nearest_codewords(const float *V, int64_t M, int32_t D,
                           const float *CT, int32_t K,
                           int32_t *idx, float *dot, hsq_kernel_level level);

/// The float kernel hsq_nearest_codewords runs for K codewords under `level` on this CPU:
/// HSQ_KERNELS_AVX512, HSQ_KERNELS_AVX2 or HSQ_KERNELS_PORTABLE (never AUTO).
hsq_kernel_level hsq_nearest_kernel(hsq_kernel_level level, int32_t K);

/// A codebook prepared once for many searches: its transpose for the float
/// kernels and, where the CPU has AVX512-VNNI and VBMI2, the int8 codebook and
/// error constants of an exact int8 screen (see nearest_plan.c).
typedef struct hsq_nearest_plan hsq_nearest_plan;

/// Prepares the search for codebook C (K×D, row-major: one codeword per row),
/// copying what it needs (C may be freed afterwards), searched at most at `level`.
/// Never NULL for K ≥ 1, D ≥ 1 unless out of memory. Falls back to the float
/// kernels when the int8 screen is not allowed (level other than AUTO), cannot be
/// used or would not pay: no AVX512-VNNI/VBMI2, D outside 4...16, K outside
/// 16...256, a non-finite or out-of-range codebook.
hsq_nearest_plan *hsq_nearest_plan_create(const float *C, int32_t K, int32_t D, hsq_kernel_level level);

/// Frees a plan (NULL is ignored).
void hsq_nearest_plan_destroy(hsq_nearest_plan *plan);

/// The same contract and the same answer, bit for bit, as hsq_nearest_codewords
/// on the plan's codebook: idx[m] = argmax_k |<c_k, v_m>| (first index on ties),
/// dot[m] = the float dot (fmaf accumulated over d in order). Thread-safe: the
/// plan is read-only, so many threads may search it at once (disjoint outputs).
void hsq_nearest_plan_search(const hsq_nearest_plan *plan, const float *V, int64_t M,
                             int32_t *idx, float *dot);

/// 1 when hsq_nearest_plan_search uses the int8 screen for this plan.
int hsq_nearest_plan_uses_int8(const hsq_nearest_plan *plan);

/// Σxᵢ² into *norm and, when y is not NULL, Σ(yᵢ − xᵢ)² into *distance, in double,
/// with AVX-512 when the CPU has it: returns 1 then, and 0 (writing nothing) otherwise.
/// The result equals hsq's Swift `Vec.squaredNorm` / `Vec.squaredNormAndDistance`
/// bit for bit (the same lanes and order; see sums.c).
int hsq_sums_of_squares(const float *x, const float *y, int64_t n, double *norm, double *distance);

/// hsq_sums_of_squares with y, fused with difference[i] = x[i] − y[i] (float): ‖x‖², ‖y − x‖² and x − y in one pass,
/// each the same bits as the separate calls. Returns 1 with AVX-512, else 0 (nothing written).
int hsq_sums_of_squares_and_difference(const float *x, const float *y, int64_t n, double *norm, double *distance,
                                       float *difference);

/// The levels of HSQ's n-bit stochastic scalar quantizer, as ScalarQuantizer.quantize
/// computes them in Swift: x = (double(u[j]) − lo)·scale, l = min(trunc(x), s − 1),
/// levels[j] = l + (double(draws[j]) < x − l). Returns 1 with AVX-512, else 0 (nothing written).
int hsq_quantize_levels(const float *u, const float *draws, int64_t n, double lo, double scale, int32_t s,
                        uint32_t *levels);

/// out[16m + j] = u[m]·C[16·idx[m] + j] for m < rows and j < 16. Returns 1 with AVX-512, else 0.
int hsq_scale_rows16(const float *C, const int32_t *idx, const float *u, int64_t rows, float *out);

/// out[i] = (…((+0 + scale·s₀[i]) + scale·s₁[i]) … + scale·s_{count−1}[i]) for i < n: the mean of
/// `count` vectors in source order, each product and sum rounded separately (as N `Vec.axpy` calls
/// into zeros). Returns 1 with AVX-512, else 0 (nothing written).
int hsq_mean_of(const float *const *sources, int32_t count, float scale, float *out, int64_t n);

/// The mean of decoded codeword rows without writing them: for rows m in [m0, m1) and entries i = m·D + j < n,
/// out[i] = (…((c + scale·x₀[i]) + scale·x₁[i]) … + scale·x_{count−1}[i]) with c = out[i] when `continuing`,
/// else +0, and x_w[i] = scalars[w][m]·C[indices[w][m]·D + j] (the decoded entry, one rounded product): what
/// hsq_mean_of gives on the decoded vectors, bit for bit. AVX-512 or AVX2 for D = 16 where `level` allows, else C.
void hsq_mean_of_rows(const float *C, int32_t D, const int32_t *const *indices, const float *const *scalars, int32_t count,
                      float scale, float *out, int64_t m0, int64_t m1, int64_t n, int continuing, hsq_kernel_level level);

/// hsq_sums_of_squares(x, q) without q written: q is the decoded vector of codeword rows, q[m·D + j] =
/// u[m]·C[idx[m]·D + j] (one rounded product) for entries i = m·D + j < n. *norm = Σxᵢ², *distance = Σ(qᵢ − xᵢ)²
/// with the lanes and order of `Vec.squaredNormAndDistance`, and, when `difference` is not NULL,
/// difference[i] = x[i] − q[i]: the same bits as decoding first and calling the Swift reductions (with or without
/// AVX-512). AVX-512 or AVX2 for D = 16 where `level` allows, else C.
void hsq_rows_sums_of_squares(const float *x, const float *C, int32_t D, const int32_t *idx, const float *u, int64_t n,
                              double *norm, double *distance, float *difference, hsq_kernel_level level);

/// Heavy-ball SGD, v_out[i] = m·v[i] + (g[i] + λ·x[i]), x_out[i] = x[i] − η·v_out[i], each operation rounded
/// separately (as hsq's Swift UpdateRule); x_out and v_out may be x and v (in place), or other buffers.
/// Returns 1 with AVX-512, else 0 (nothing written).
int hsq_sgd_update(const float *g, const float *x, const float *v, float *x_out, float *v_out, int64_t n, float rate,
                   float decay, float momentum);

/// y[i] ← y[i] + α·x[i] (the product and the sum rounded separately). Returns 1 with AVX-512, else 0.
int hsq_axpy(float alpha, const float *x, float *y, int64_t n);

/// max |x[i]| over the entries that are not NaN, +0 when there is none: Swift's `m = 0; m = max(m, abs(x[i]))` loop
/// (`Vec.normInf`) bit for bit. Returns 1 with AVX-512 (*norm written), else 0 (nothing written).
int hsq_norm_inf(const float *x, int64_t n, float *norm);

/// (lo, hi) as Swift's `lo = x[0]; hi = x[0]; for v in x { lo = min(lo, v); hi = max(hi, v) }` gives them, bit for
/// bit, for n ≥ 1: NaNs after x[0] are passed over, lo is the first entry equal to the least value and hi the last
/// equal to the greatest (which decides the sign of a zero), and a NaN x[0] is both. Returns 1 with AVX-512, else 0.
int hsq_range(const float *x, int64_t n, float *lo, float *hi);

/// The index of the first entry of x that is NaN or ±infinity (its exponent bits all set), or −1 when every entry
/// is finite, into *index. Returns 1 with AVX-512, else 0 (nothing written).
int hsq_first_non_finite(const float *x, int64_t n, int64_t *index);

/// Copies the 4·n bytes of x to out (any alignment) and sets *finite to 1 when every entry is finite, else 0: the copy
/// and hsq_first_non_finite's test in one pass. Returns 1 with AVX-512, else 0 (nothing written).
int hsq_copy_checking_finite(const float *x, int64_t n, void *out, int32_t *finite);

/// out[i] = y[i] + α·x[i] (hsq_axpy into a new buffer; out may be y). Returns 1 with AVX-512, else 0.
int hsq_axpy_to(float alpha, const float *x, const float *y, float *out, int64_t n);

/// out[i] = x[i] − y[i]. Returns 1 with AVX-512, else 0.
int hsq_difference(const float *x, const float *y, float *out, int64_t n);

/// The half-precision kernel hsq_float_to_half / hsq_half_to_float run under `level` on this CPU:
/// HSQ_KERNELS_AVX512 (AVX-512F), HSQ_KERNELS_AVX2 (F16C) or HSQ_KERNELS_PORTABLE (none: callers
/// use their own loop).
hsq_kernel_level hsq_half_kernel(hsq_kernel_level level);

/// out[i] = binary16(x[i]·scale), the product rounded in float and converted to nearest, ties
/// to even: Swift's `Float16(x * scale)` bit for bit, NaN, ±∞, overflow and subnormals included.
/// Returns 1 when a kernel ran, 0 (nothing written) when `level` and the CPU allow none.
int hsq_float_to_half(const float *x, int64_t n, float scale, uint16_t *out, hsq_kernel_level level);

/// out[i] = float(double(h[i])·scale) clamped to ±FLT_MAX: Swift's saturated
/// `Float(Double(Float16(bitPattern: h[i])) * scale)` bit for bit for finite halves; *nonfinite
/// is set to 1 when some h[i] is ±∞ or NaN (out is then unspecified there), else 0.
/// Returns 1 when a kernel ran, 0 (nothing written) when `level` and the CPU allow none.
int hsq_half_to_float(const uint16_t *h, int64_t n, double scale, float *out, int32_t *nonfinite,
                      hsq_kernel_level level);

/// The largest sub-vector dimension hsq_pinv_prefix16 takes.
#define HSQ_PINV_MAX_DIM 32

/// Unbiased HSQ's coefficients and running ℓ1 sums for `rows` ≤ 16 sub-vectors (V, rows×D, row-major,
/// D ≤ HSQ_PINV_MAX_DIM) against P = C⁺ (K×D, row-major): a[16k + r] = a_k of row r, the float sum
/// (…(+0 + P[k,0]·v_0) + …) + P[k,D−1]·v_{D−1} with every product and sum rounded separately, and
/// prefix[16k + r] = |a_0| + … + |a_k| summed in double in that order (lanes r ≥ rows are unspecified):
/// PseudoInverseCoefficients' Swift loops bit for bit, with AVX-512, else AVX2, else portable C, as `level` and the CPU
/// allow. Returns 1, or 0 (nothing written) when D or rows is out of range.
int hsq_pinv_prefix16(const float *P, int32_t K, int32_t D, const float *V, int32_t rows, float *a, double *prefix,
                      hsq_kernel_level level);

/// For each of 16 lanes, the scalar binary search over running sums laid out as hsq_pinv_prefix16 writes them
/// (prefix[16k + lane], k < K): chosen[lane] = the `low` that `low = 0, high = K; while low < high { mid = (low + high) / 2;
/// if prefix[16·mid + lane] > r[lane] { high = mid } else { low = mid + 1 } }` ends on (K when no sum passes r), the
/// same probes in the same order, so the same answer for any sums. Every lane is searched (give unused lanes any r).
/// AVX-512 gathers where `level` allows and the CPU has them, else that loop.
void hsq_prefix_search16(const double *prefix, int32_t K, const double *r, int32_t *chosen, hsq_kernel_level level);

/// Unbiased HSQ's draws and choices for one block of `rows` ≤ 16 sub-vectors whose coefficients and running sums
/// hsq_pinv_prefix16 wrote to `a` and `prefix`: for each row in order whose ‖a‖₁ = prefix[16(K−1) + row] is > 0, one
/// draw u from the xoshiro256** `state` (RandomStream.uniformDouble, advancing it), k = the first index whose running sum
/// passes u·‖a‖₁ (hsq_prefix_search16 under `level`; the last k with a_k ≠ 0 when none does), indices[row] = k and
/// scalars[row] = (float)(a_k < 0 ? −‖a‖₁ : ‖a‖₁). Rows with ‖a‖₁ ≤ 0 or NaN draw nothing and are not written.
void hsq_pinv_choose16(const float *a, const double *prefix, int32_t K, int32_t rows, uint64_t state[4], int32_t *indices,
                       float *scalars, hsq_kernel_level level);

/// Natural compression's 9-bit codes E << 1 | sign for n entries of x with 23-bit uniforms r (NaturalCompressor's
/// encode loop): E = 0 for ±0, else the exponent field of 2^a or 2^(a+1) for |x| in [2^a, 2^(a+1)), rounding up
/// when r < the 23-bit fraction p·2²³. `codes` must not overlap `r` or x. Plain C, vectorized for AVX-512 where `level`
/// allows and the CPU has it; every path gives the same codes.
void hsq_natural_codes(const float *restrict x, const uint32_t *restrict r, int64_t n, uint32_t *restrict codes,
                       hsq_kernel_level level);

/// Natural compression's values from its codes (codes below 512): ±2^(E − 150) for code E << 1 | sign, 0 for E = 0.
/// Plain C, vectorized for AVX-512 where `level` allows and the CPU has it; every path gives the same bits.
void hsq_natural_values(const uint32_t *restrict codes, int64_t n, float *restrict out, hsq_kernel_level level);

/// QSGD's codes ξ << 1 | signbit(x) with s levels and uniforms u (QSGDCompressor's encode loop) for n entries,
/// entry i being coordinate start + i of a vector in buckets of `bucket` (≥ 1) coordinates, bucket k with scale
/// scales[k]: r = (|x|/σ)·s, l = min(⌊r⌋, s − 1), ξ = l + 1 when u < r − l, else l; code 0 in a bucket with σ = 0.
/// `codes` must not overlap x or u. Plain C, vectorized for AVX-512 or AVX2 where `level` allows and the CPU has it;
/// every path gives the same codes.
void hsq_qsgd_codes(const float *restrict x, const float *restrict u, int64_t start, int64_t n, int64_t bucket,
                    const float *restrict scales, float s, float s_minus_one, uint32_t *restrict codes,
                    hsq_kernel_level level);

/// QSGD's values from its codes (QSGDCompressor's decode loop): ±min((ξ·inverse)·σ, σ) for code ξ << 1 | sign, each
/// product rounded, σ the scale of the entry's bucket as in hsq_qsgd_codes. Returns 1 when a code has ξ > s (a
/// malformed payload), else 0. Vectorized for AVX-512 or AVX2 where `level` allows and the CPU has it; every path
/// gives the same bits.
int32_t hsq_qsgd_values(const uint32_t *restrict codes, int64_t start, int64_t n, int64_t bucket, const float *restrict scales,
                        float inverse, int32_t s, float *restrict out, hsq_kernel_level level);

/// out[k] = the largest magnitude bit pattern (bits & 0x7FFFFFFF) of x[k·bucket ..< min((k + 1)·bucket, n)] for each
/// of the ⌈n/bucket⌉ buckets (bucket ≥ 1): the bucket's max |x| for finite entries, ≥ 0x7F800000 when one is not.
/// Vectorized for AVX-512 or AVX2 where `level` allows and the CPU has it.
void hsq_bucket_magnitude_bits(const float *restrict x, int64_t n, int64_t bucket, uint32_t *restrict out,
                               hsq_kernel_level level);

/// xoshiro256** draws (hsq's RandomStream) as uniforms, two per draw: `pairs` draws from `state` (s0…s3, advanced),
/// the i-th writing out[2i] = (x >> 40)·2⁻²⁴ and out[2i + 1] = ((x >> 8) & 0xFFFFFF)·2⁻²⁴, floats in [0, 1).
/// The draws are serial; their conversion is vectorized where `level` allows and the CPU has it, with the same values.
void hsq_uniform_float_pairs(uint64_t state[4], int64_t pairs, float *out, hsq_kernel_level level);

/// As hsq_uniform_float_pairs, with 23-bit integers: out[2i] = x >> 41, out[2i + 1] = (x >> 18) & 0x7FFFFF.
void hsq_uniform23_pairs(uint64_t state[4], int64_t pairs, uint32_t *out, hsq_kernel_level level);

/// TernGrad's groups of five trits (TernGradCompressor's encode loop): out[g] = Σ_j t_{5g+j}·3^j with
/// t = 0 unless m > 0 and u < |x|/m, then 1 (x ≥ 0) or 2 (x < 0). Reads 5·groups entries of x and u.
/// Plain C, vectorized for AVX-512 where `level` allows and the CPU has it; every path gives the same groups.
void hsq_terngrad_groups(const float *x, const float *u, int64_t groups, float m, uint8_t *out, hsq_kernel_level level);

/// Sign fields (signsgd, scaled-sign): bit j of words[k] is 1 when x[32k + j] < 0 (+0 and −0 give 0), ⌈n/32⌉ words,
/// the last one's unused bits 0. AVX-512 where `level` allows and the CPU has it; every path gives the same words.
void hsq_sign_words(const float *x, int64_t n, uint32_t *words, hsq_kernel_level level);

/// out[i] = magnitude with bit i of the fields (bit i mod 32 of words[i / 32]) or-ed into its sign bit, for i < n:
/// the values a sign field decodes to. AVX-512 where `level` allows and the CPU has it; every path gives the same bits.
void hsq_sign_values(const uint32_t *words, int64_t n, float magnitude, float *out, hsq_kernel_level level);

/// Σ |x_i| in Double with the lane structure of hsq's Swift `Vec` reductions (see hsq_sums_of_squares). Returns 0
/// without writing when the CPU lacks AVX-512 (the caller runs the Swift loop, which gives the same sum).
int hsq_norm1(const float *x, int64_t n, double *norm);

/// Top-k's candidates: for i < n (n < 2³²) in order, every |x[i]| whose bit pattern is at least `floor`, its bit pattern to
/// `bits` and i to `indices`; returns how many, or −1 (with partial output) when there are more than `capacity`.
/// AVX-512 where `level` allows and the CPU has it; every path gives the same candidates. Entries past the count
/// returned (up to `capacity`, never beyond) are unspecified.
int64_t hsq_magnitudes_at_least(const float *x, int64_t n, uint32_t floor, uint32_t *bits, uint32_t *indices,
                                int64_t capacity, hsq_kernel_level level);

/// Packs n codes of `width` bits (1, 2, 4, 8, 9 or 16; each below 2^width) into n·width/8 bytes (a whole number) in
/// BitPacker's layout: the first code in the lowest bits. Vectorized for AVX-512 where `level` allows and the CPU
/// has it; every path writes the same bytes.
void hsq_pack_codes(const uint32_t *restrict codes, int64_t n, int32_t width, uint8_t *restrict out, hsq_kernel_level level);

/// The inverse of hsq_pack_codes: n codes of `width` bits (1, 2, 4, 8, 9 or 16) from n·width/8 bytes.
void hsq_unpack_codes(const uint8_t *restrict in, int64_t n, int32_t width, uint32_t *restrict codes, hsq_kernel_level level);

/// Reads up to n pairs of fields written least significant bit first from bit `start` of the byte_count bytes at `in`:
/// pair i is the first_bits + second_bits (≤ 32) bits at bit start + i·(first_bits + second_bits), its low first_bits to
/// first[i] and the rest to second[i]. Reads the pairs whose 8 bytes around them lie inside the buffer (all but the last
/// few) and returns how many; the caller reads the rest. AVX-512 (eight pairs a step) where `level` allows and the CPU
/// has it, else portable C; every path reads the same fields.
int64_t hsq_read_bit_pairs(const uint8_t *in, int64_t byte_count, int64_t start, int64_t n, int32_t first_bits,
                           int32_t second_bits, uint32_t *restrict first, uint32_t *restrict second, hsq_kernel_level level);

/// In-place unnormalized fast Walsh–Hadamard transform of x (n a power of two), the same bits on every path:
/// AVX-512 where `level` allows and the CPU has it (n ≥ 16), else portable C.
void hsq_fwht(float *x, int64_t n, hsq_kernel_level level);

/// out[i] = c, its sign flipped where i & k has an odd number of bits, for i in [0, n): the first n entries of
/// column k of the unnormalized Hadamard matrix times c, by doubling (entries h … 2h − 1 are entries 0 … h − 1,
/// negated when k has bit h). Only sign bits change, so every entry is exactly ±c.
void hsq_hadamard_column(float *out, int64_t n, int64_t k, float c);

/// x[k] ← x[k]·(−scale) where bit k mod 64 of signs[k / 64] is set, else x[k]·scale (one rounded product each):
/// the randomized Hadamard basis's sign-and-scale loop bit for bit. AVX-512 where `level` allows and the CPU has it.
void hsq_sign_scale(float *x, int64_t n, const uint64_t *signs, float scale, hsq_kernel_level level);

#endif
