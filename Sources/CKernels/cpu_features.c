/* The run-time CPU-feature checks of nearest.c, nearest_plan.c, sums.c and half.c (see cpu_features.h). */
#include "cpu_features.h"

#if defined(__x86_64__)
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>

/* HSQ_CPU caps what the checks report, for measuring the paths other CPUs take: "avx2" hides
 * AVX-512 (a CPU without it, most laptops), "portable" hides AVX2 and F16C too. Read once, at the
 * first check (kernels check on every call, and getenv scans the environment), so a process sets it
 * before starting work. The cap: 0 portable, 1 AVX2, 2 everything; −1 before the first check (threads
 * that race there all read the same environment and store the same value). */
static _Atomic int cap_level = -1;

static int allows(int avx512) {
  int cap = atomic_load_explicit(&cap_level, memory_order_relaxed);
  if (cap < 0) {
    const char *name = getenv("HSQ_CPU");
    cap = name == NULL ? 2 : strcmp(name, "portable") == 0 ? 0 : strcmp(name, "avx2") == 0 ? 1 : 2;
    atomic_store_explicit(&cap_level, cap, memory_order_relaxed);
  }
  return cap == 2 || (cap == 1 && !avx512);
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
