#ifndef HSQ_CMPI_SHIM_H
#define HSQ_CMPI_SHIM_H
#include <mpi.h>
/*
 * Open MPI's predefined handles (MPI_COMM_WORLD, MPI_BYTE, MPI_INT64_T, ...) are macros that cast
 * the address of a global struct, which Swift cannot import. Each is returned from a function here.
 * The integer constants Swift does import (MPI_SUCCESS, MPI_THREAD_*, MPI_ANY_TAG) need no wrapper.
 */
static inline MPI_Comm hsq_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype hsq_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype hsq_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype hsq_mpi_int(void) { return MPI_INT; }
static inline MPI_Datatype hsq_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Errhandler hsq_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline MPI_Status *hsq_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int hsq_mpi_any_source(void) { return MPI_ANY_SOURCE; }
static inline int hsq_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline MPI_Info hsq_mpi_info_null(void) { return MPI_INFO_NULL; }
static inline int hsq_mpi_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }

/* The thread's timer slack, in nanoseconds (Linux; elsewhere nothing): the short sleeps of a rank
 * waiting for MPI would otherwise last at least the default 50 µs slack. prctl is variadic, which
 * Swift cannot call. */
#if defined(__linux__)
#include <sys/prctl.h>
static inline void hsq_set_timer_slack(unsigned long nanoseconds) { prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0); }
#else
static inline void hsq_set_timer_slack(unsigned long nanoseconds) { (void)nanoseconds; }
#endif

/*
 * A doorbell: a 32-bit counter in memory the ranks of one machine share (an MPI shared window).
 * A rank that has handed another rank a message rings the other's bell; a rank waiting for a
 * message sleeps on its own bell, so it wakes when rung instead of at the end of a timed sleep.
 * The waiter reads the counter before it polls MPI and sleeps only while the counter still holds
 * that value, so a ring between the poll and the sleep is not lost. Linux: futex (shared between
 * processes, so not FUTEX_PRIVATE); elsewhere the wait is a plain sleep and a ring does nothing.
 * syscall is variadic, which Swift cannot call.
 */
#include <stdint.h>
#include <time.h>
static inline uint32_t hsq_doorbell_read(uint32_t *bell) { return __atomic_load_n(bell, __ATOMIC_SEQ_CST); }
#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
static inline int hsq_doorbells_wake(void) { return 1; }
static inline void hsq_doorbell_ring(uint32_t *bell) {
  __atomic_fetch_add(bell, 1, __ATOMIC_SEQ_CST);
  syscall(SYS_futex, bell, FUTEX_WAKE, 1, NULL, NULL, 0);
}
static inline void hsq_doorbell_wait(uint32_t *bell, uint32_t seen, long nanoseconds) {
  struct timespec pause = {nanoseconds / 1000000000L, nanoseconds % 1000000000L};
  syscall(SYS_futex, bell, FUTEX_WAIT, seen, &pause, NULL, 0);
}
#else
static inline int hsq_doorbells_wake(void) { return 0; }
static inline void hsq_doorbell_ring(uint32_t *bell) { (void)bell; }
static inline void hsq_doorbell_wait(uint32_t *bell, uint32_t seen, long nanoseconds) {
  (void)bell; (void)seen;
  struct timespec pause = {nanoseconds / 1000000000L, nanoseconds % 1000000000L};
  nanosleep(&pause, NULL);
}
#endif
#endif
