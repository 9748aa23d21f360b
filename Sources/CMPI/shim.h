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

/* The thread's timer slack, in nanoseconds (Linux; elsewhere nothing): the short sleeps of a rank
 * waiting for MPI would otherwise last at least the default 50 µs slack. prctl is variadic, which
 * Swift cannot call. */
#if defined(__linux__)
#include <sys/prctl.h>
static inline void hsq_set_timer_slack(unsigned long nanoseconds) { prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0); }
#else
static inline void hsq_set_timer_slack(unsigned long nanoseconds) { (void)nanoseconds; }
#endif
#endif
