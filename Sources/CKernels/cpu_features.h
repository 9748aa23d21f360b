/* The CPU features the kernels dispatch on: one owner for the run-time checks (internal to CKernels). */
#ifndef HSQ_CPU_FEATURES_H
#define HSQ_CPU_FEATURES_H

/* Each returns 1 when the running CPU has the named set (checked with __builtin_cpu_supports), 0 otherwise
 * and always off x86-64. Cheap enough to call on every dispatch: the CPU's features come from the compiler's
 * runtime, and HSQ_CPU is read once (see cpu_features.c). */
__attribute__((visibility("hidden"))) int hsq_cpu_has_avx2_fma(void);     /* AVX2 and FMA */
__attribute__((visibility("hidden"))) int hsq_cpu_has_avx2_f16c(void);    /* AVX2 and F16C */
__attribute__((visibility("hidden"))) int hsq_cpu_has_avx512f(void);      /* AVX-512 F */
__attribute__((visibility("hidden"))) int hsq_cpu_has_avx512f_vl(void);   /* AVX-512 F and VL */
__attribute__((visibility("hidden"))) int hsq_cpu_has_avx512_bw_cd(void); /* AVX-512 F, VL, BW and CD */
/* AVX-512 F, BW, VNNI and VBMI2, FMA, BMI and POPCNT: the int8 nearest-codeword plan's kernels. */
__attribute__((visibility("hidden"))) int hsq_cpu_has_avx512_vnni_plan(void);

#endif
