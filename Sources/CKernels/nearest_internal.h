#ifndef HSQ_NEAREST_INTERNAL_H
#define HSQ_NEAREST_INTERNAL_H

/* Shared by nearest.c and nearest_plan.c; not part of the public header. */

/// 1 while hsq_kernels_force_portable(1) is in effect.
int hsq_kernels_forced_portable(void);

#endif
