#ifndef HSQ_COPENBLAS_SHIM_H
#define HSQ_COPENBLAS_SHIM_H
#include <cblas.h>
#include <dlfcn.h>
#include <stdlib.h>

/// The name of the kernel set OpenBLAS chose ("Haswell", "SkylakeX", …), or "unknown".
///
/// Looked up with dlsym: `openblas_get_corename` exists only in DYNAMIC_ARCH builds.
static inline const char *hsq_openblas_corename(void) {
  char *(*corename)(void) = (char *(*)(void))dlsym(RTLD_DEFAULT, "openblas_get_corename");
  const char *name = corename != NULL ? corename() : NULL;
  return name != NULL ? name : "unknown";
}

/// Unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE and re-runs OpenBLAS's kernel
/// selection from the CPU (a DYNAMIC_ARCH build's gotoblas_dynamic_quit/init,
/// looked up with dlsym). Call before any BLAS call, from one thread. Returns 1
/// when the selection ran again, 0 when this OpenBLAS has no run-time selection.
static inline int hsq_openblas_detect_kernels(void) {
  void (*quit)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit");
  void (*init)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init");
  if (quit == NULL || init == NULL) return 0;
  unsetenv("OPENBLAS_CORETYPE");
  unsetenv("OPENBLAS_L2_SIZE");
  quit();
  init();
  return 1;
}
#endif
