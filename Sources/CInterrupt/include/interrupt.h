#ifndef HSQ_CINTERRUPT_H
#define HSQ_CINTERRUPT_H

#include <sys/types.h>

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

/// `read(fd, buffer, count)` that a Ctrl-C cannot slip past.
///
/// Returns -1 with errno EINTR when the flag is raised, whether SIGINT
/// arrived during the wait or before the call (a plain `read` would then
/// block until the next key). Otherwise as `read`; other signals do not end
/// it. On a thread that blocks SIGINT, only a flag raised before the call
/// is seen.
///
/// A terminal discards the keys typed ahead when Ctrl-C comes, so they can
/// vanish between the wait and the read, and a blocking read would then
/// wait, SIGINT held, for the next key: read a terminal through
/// `hsq_interrupt_open_terminal_reader`, whose reads never block.
ssize_t hsq_interrupt_read(int fd, void *buffer, size_t count);

/// A new non-blocking open file description of the terminal `fd` is on, for
/// `hsq_interrupt_read` (O_NONBLOCK is set on this description only; the
/// shell's description of the terminal keeps its flags). Returns the
/// descriptor (close it), or -1 with errno set, ENOTTY when `fd` is not a
/// terminal.
int hsq_interrupt_open_terminal_reader(int fd);

#endif
