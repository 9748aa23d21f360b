#ifndef HSQ_COPENBLAS_SHIM_H
#define HSQ_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
