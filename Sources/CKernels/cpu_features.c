/* The run-time CPU-feature checks of nearest.c, nearest_plan.c, sums.c and half.c (see cpu_features.h). */
#include "cpu_features.h"

#if defined(__x86_64__)
#include <stdlib.h>
#include <string.h>

/* HSQ_CPU caps what the checks report, for measuring the paths other CPUs take: "avx2" hides
 * AVX-512 (a CPU without it, most laptops), "portable" hides AVX2 and F16C too. Read on every
 * check (the environment is the only state), so a process sets it before starting work. */
static int allows(int avx512) {
  const char *cap = getenv("HSQ_CPU");
  if (cap == NULL) return 1;
  if (strcmp(cap, "portable") == 0) return 0;
  if (strcmp(cap, "avx2") == 0) return !avx512;
  return 1;
}

int hsq_cpu_has_avx2_fma(void) {
  __builtin_cpu_init();
  return allows(0) && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int hsq_cpu_has_avx2_f16c(void) {
  __builtin_cpu_init();
  return allows(0) && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c");
}

int hsq_cpu_has_avx512f(void) {
  __builtin_cpu_init();
  return allows(1) && __builtin_cpu_supports("avx512f");
}

int hsq_cpu_has_avx512f_vl(void) {
  __builtin_cpu_init();
  return allows(1) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
}

int hsq_cpu_has_avx512_bw_cd(void) {
  __builtin_cpu_init();
  return allows(1) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512cd");
}

int hsq_cpu_has_avx512_vnni_plan(void) {
  __builtin_cpu_init();
  return allows(1) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vbmi2") &&
         __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("popcnt");
}
#else
int hsq_cpu_has_avx2_fma(void) { return 0; }
int hsq_cpu_has_avx2_f16c(void) { return 0; }
int hsq_cpu_has_avx512f(void) { return 0; }
int hsq_cpu_has_avx512f_vl(void) { return 0; }
int hsq_cpu_has_avx512_bw_cd(void) { return 0; }
int hsq_cpu_has_avx512_vnni_plan(void) { return 0; }
#endif
