#ifndef HSQ_CEDITLINE_SHIM_H
#define HSQ_CEDITLINE_SHIM_H
#include <stdio.h>
#include <histedit.h>
/* Wrappers for libedit's C-variadic functions and the C stdio globals Swift 6 rejects. */
static inline FILE *hsq_stdin(void) { return stdin; }
static inline FILE *hsq_stdout(void) { return stdout; }
static inline FILE *hsq_stderr(void) { return stderr; }
#endif
