#ifndef HSQ_COPENBLAS_SHIM_H
#define HSQ_COPENBLAS_SHIM_H
#include <cblas.h>
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>

/// The name of the kernel set OpenBLAS chose ("Haswell", "SkylakeX", …), or "unknown".
///
/// Looked up with dlsym: `openblas_get_corename` exists only in DYNAMIC_ARCH builds.
static inline const char *hsq_openblas_corename(void) {
  char *(*corename)(void) = (char *(*)(void))dlsym(RTLD_DEFAULT, "openblas_get_corename");
  const char *name = corename != NULL ? corename() : NULL;
  return name != NULL ? name : "unknown";
}

/// Re-runs OpenBLAS's kernel selection (a DYNAMIC_ARCH build's gotoblas_dynamic_quit/init, looked up
/// with dlsym) with OPENBLAS_CORETYPE set to `coretype`, or unset (with OPENBLAS_L2_SIZE) when it is
/// NULL so that OpenBLAS chooses from the CPU. Call before any BLAS call, from one thread. Returns 1
/// when the selection ran again, 0 when this OpenBLAS has no run-time selection.
static inline int hsq_openblas_select_kernels(const char *coretype) {
  void (*quit)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit");
  void (*init)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init");
  if (quit == NULL || init == NULL) return 0;
  if (coretype != NULL) {
    setenv("OPENBLAS_CORETYPE", coretype, 1);
  } else {
    unsetenv("OPENBLAS_CORETYPE");
  }
  unsetenv("OPENBLAS_L2_SIZE");
  quit();
  init();
  return 1;
}

/// OpenBLAS's kernels chosen from the CPU (hsq_openblas_select_kernels(NULL)).
static inline int hsq_openblas_detect_kernels(void) { return hsq_openblas_select_kernels(NULL); }
/* LAPACK from the same OpenBLAS (Fortran calling convention: every argument by pointer, matrices
 * column-major, LP64 integers, and a hidden length after the arguments for each CHARACTER argument,
 * which gfortran-built LAPACK may read). The hsq_ wrappers below take values and pass the lengths. */
void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau, double *work, const int *lwork,
             int *info);
void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda, const double *tau, double *work,
             const int *lwork, int *info);
void dsytrd_(const char *uplo, const int *n, double *a, const int *lda, double *d, double *e, double *tau,
             double *work, const int *lwork, int *info, size_t uplo_len);
void dormtr_(const char *side, const char *uplo, const char *trans, const int *m, const int *n, const double *a,
             const int *lda, const double *tau, double *c, const int *ldc, double *work, const int *lwork, int *info,
             size_t side_len, size_t uplo_len, size_t trans_len);
void dstedc_(const char *compz, const int *n, double *d, double *e, double *z, const int *ldz, double *work,
             const int *lwork, int *iwork, const int *liwork, int *info, size_t compz_len);
void dsterf_(const int *n, double *d, double *e, int *info);
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda, double *s, double *u,
             const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork, int *iwork, int *info,
             size_t jobz_len);

void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda, double *b, const int *ldb,
             int *info, size_t uplo_len);

/// QR factorization of the m×n column-major `a` (LAPACK dgeqrf); returns INFO. `lwork` = −1 queries the workspace.
static inline int hsq_dgeqrf(int m, int n, double *a, int lda, double *tau, double *work, int lwork) {
  int info = 0;
  dgeqrf_(&m, &n, a, &lda, tau, work, &lwork, &info);
  return info;
}

/// The first n columns of Q from dgeqrf's reflectors (LAPACK dorgqr); returns INFO.
static inline int hsq_dorgqr(int m, int n, int k, double *a, int lda, const double *tau, double *work, int lwork) {
  int info = 0;
  dorgqr_(&m, &n, &k, a, &lda, tau, work, &lwork, &info);
  return info;
}

/// Householder reduction of a symmetric matrix to tridiagonal form (LAPACK dsytrd); returns INFO.
static inline int hsq_dsytrd(char uplo, int n, double *a, int lda, double *d, double *e, double *tau, double *work,
                             int lwork) {
  int info = 0;
  dsytrd_(&uplo, &n, a, &lda, d, e, tau, work, &lwork, &info, 1);
  return info;
}

/// Multiplies `c` by the orthogonal matrix of dsytrd's reflectors (LAPACK dormtr); returns INFO.
static inline int hsq_dormtr(char side, char uplo, char trans, int m, int n, const double *a, int lda,
                             const double *tau, double *c, int ldc, double *work, int lwork) {
  int info = 0;
  dormtr_(&side, &uplo, &trans, &m, &n, a, &lda, tau, c, &ldc, work, &lwork, &info, 1, 1, 1);
  return info;
}

/// Eigenvalues and eigenvectors of a symmetric tridiagonal matrix by divide and conquer (LAPACK dstedc).
static inline int hsq_dstedc(char compz, int n, double *d, double *e, double *z, int ldz, double *work, int lwork,
                             int *iwork, int liwork) {
  int info = 0;
  dstedc_(&compz, &n, d, e, z, &ldz, work, &lwork, iwork, &liwork, &info, 1);
  return info;
}

/// Eigenvalues of a symmetric tridiagonal matrix, ascending, by root-free QL/QR (LAPACK dsterf).
static inline int hsq_dsterf(int n, double *d, double *e) {
  int info = 0;
  dsterf_(&n, d, e, &info);
  return info;
}

/// Singular value decomposition by divide and conquer (LAPACK dgesdd); returns INFO.
static inline int hsq_dgesdd(char jobz, int m, int n, double *a, int lda, double *s, double *u, int ldu, double *vt,
                             int ldvt, double *work, int lwork, int *iwork) {
  int info = 0;
  dgesdd_(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work, &lwork, iwork, &info, 1);
  return info;
}

/// Cholesky factorization of a symmetric positive-definite matrix (LAPACK dpotrf); returns INFO (> 0: not positive definite).
static inline int hsq_dpotrf(char uplo, int n, double *a, int lda) {
  int info = 0;
  dpotrf_(&uplo, &n, a, &lda, &info, 1);
  return info;
}

/// Solves A X = B with dpotrf's factor (LAPACK dpotrs); returns INFO.
static inline int hsq_dpotrs(char uplo, int n, int nrhs, const double *a, int lda, double *b, int ldb) {
  int info = 0;
  dpotrs_(&uplo, &n, &nrhs, a, &lda, b, &ldb, &info, 1);
  return info;
}
#endif
