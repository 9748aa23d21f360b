#include "kernels.h"

void hsq_fwht(float *x, int64_t n) {
  for (int64_t h = 1; h < n; h <<= 1) {
    for (int64_t i = 0; i < n; i += h << 1) {
      float *a = x + i, *b = x + i + h;
      for (int64_t j = 0; j < h; j++) {
        float u = a[j], w = b[j];
        a[j] = u + w;
        b[j] = u - w;
      }
    }
  }
}
