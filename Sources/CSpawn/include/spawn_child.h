#ifndef HSQ_CSPAWN_H
#define HSQ_CSPAWN_H

#include <sys/types.h>

/// Starts `path` with `argv` and `envp` (both NULL-terminated) as a child in a process group of its own.
///
/// The child's standard input, output and error are `in`, `out` and `err` (-1: /dev/null); every other
/// descriptor of this process is closed in the child, whatever its close-on-exec flag, so no pipe or
/// socket of another thread's child leaks into it. Its signal mask is empty and SIGINT, SIGTERM, SIGQUIT,
/// SIGHUP, SIGUSR1 and SIGPIPE have their default actions, whatever this thread blocks or ignores.
/// `directory` (NULL: this process's) is its working directory.
/// Returns 0 and sets `*pid`, or an errno value.
int hsq_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], int in, int out, int err,
              const char *directory);

/// A pipe whose two ends are close-on-exec. Returns 0, or an errno value.
int hsq_pipe_cloexec(int fds[2]);

/// Opens `path` for writing (created, truncated, mode 0600), close-on-exec. Returns the descriptor, or -1 with errno set.
int hsq_open_for_writing(const char *path);

/// Opens `path` for reading, close-on-exec. Returns the descriptor, or -1 with errno set.
int hsq_open_for_reading(const char *path);

#endif
