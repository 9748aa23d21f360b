/* hsq's random streams in C (RandomStream: xoshiro256**, Blackman & Vigna 2018): one owner for the state update and
 * the output function, so every kernel that draws makes the draws RandomStream.next() makes (internal to CKernels). */
#ifndef HSQ_XOSHIRO_H
#define HSQ_XOSHIRO_H
#include <stdint.h>

static inline uint64_t hsq_rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* A draw's output from the s1 word of the state it is drawn from. */
static inline uint64_t hsq_xoshiro_output(uint64_t s1) { return hsq_rotl64(s1 * 5, 7) * 9; }

/* The state after one draw (callers keep the four words in locals, so the update stays in registers). */
static inline void hsq_xoshiro_advance(uint64_t *s0, uint64_t *s1, uint64_t *s2, uint64_t *s3) {
  const uint64_t t = *s1 << 17;
  *s2 ^= *s0;
  *s3 ^= *s1;
  *s1 ^= *s2;
  *s0 ^= *s3;
  *s2 ^= t;
  *s3 = hsq_rotl64(*s3, 45);
}

#endif
