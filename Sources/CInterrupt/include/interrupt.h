#ifndef HSQ_CINTERRUPT_H
#define HSQ_CINTERRUPT_H

/// Installs the SIGINT handler: it only sets a `sig_atomic_t` flag.
///
/// Installed with `sigaction` WITHOUT `SA_RESTART`, so a blocking `read`
/// (libedit's `el_gets`, a plain reader) returns -1 with errno EINTR when
/// Ctrl-C arrives. Idempotent. Returns 0, or -1 with errno set.
int hsq_interrupt_install(void);

/// 1 when SIGINT arrived since the last reset, else 0.
int hsq_interrupt_requested(void);

/// Clears the flag.
void hsq_interrupt_reset(void);

/// 1 when the handler is the current SIGINT disposition without SA_RESTART.
int hsq_interrupt_is_installed(void);

#endif
