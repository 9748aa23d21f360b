#define _GNU_SOURCE
#include "spawn_child.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <unistd.h>

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#define HSQ_HAVE_CLOSEFROM 1
#endif

#if !defined(__APPLE__) && !defined(HSQ_HAVE_CLOSEFROM)
/// Adds a close action for every descriptor above 2 open now (systems without closefrom or CLOEXEC_DEFAULT).
static int close_open_descriptors(posix_spawn_file_actions_t *actions) {
  DIR *dir = opendir("/proc/self/fd");
  if (dir == NULL) dir = opendir("/dev/fd");
  if (dir == NULL) return errno;
  int listing = dirfd(dir), status = 0;
  struct dirent *entry;
  while (status == 0 && (entry = readdir(dir)) != NULL) {
    char *end;
    long fd = strtol(entry->d_name, &end, 10);
    if (*end != '\0' || end == entry->d_name || fd <= 2 || fd == listing) continue;
    status = posix_spawn_file_actions_addclose(actions, (int)fd);
  }
  closedir(dir);
  return status;
}
#endif

static int add_stream(posix_spawn_file_actions_t *actions, int fd, int target, int flags) {
  if (fd < 0) return posix_spawn_file_actions_addopen(actions, target, "/dev/null", flags, 0);
  return posix_spawn_file_actions_adddup2(actions, fd, target);
}

int hsq_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], int in, int out, int err,
              const char *directory) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  int status = posix_spawn_file_actions_init(&actions);
  if (status != 0) return status;
  status = posix_spawnattr_init(&attributes);
  if (status != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return status;
  }
  short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (status == 0) status = add_stream(&actions, in, 0, O_RDONLY);
  if (status == 0) status = add_stream(&actions, out, 1, O_WRONLY);
  if (status == 0) status = add_stream(&actions, err, 2, O_WRONLY);
#if defined(__APPLE__)
  flags |= POSIX_SPAWN_CLOEXEC_DEFAULT;
#elif defined(HSQ_HAVE_CLOSEFROM)
  if (status == 0) status = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#else
  if (status == 0) status = close_open_descriptors(&actions);
#endif
  if (status == 0 && directory != NULL) status = posix_spawn_file_actions_addchdir_np(&actions, directory);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  int reset[] = {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGPIPE};
  for (unsigned i = 0; i < sizeof reset / sizeof reset[0]; i++) sigaddset(&defaults, reset[i]);
  if (status == 0) status = posix_spawnattr_setflags(&attributes, flags);
  if (status == 0) status = posix_spawnattr_setpgroup(&attributes, 0);
  if (status == 0) status = posix_spawnattr_setsigmask(&attributes, &none);
  if (status == 0) status = posix_spawnattr_setsigdefault(&attributes, &defaults);
  if (status == 0) status = posix_spawn(pid, path, &actions, &attributes, argv, envp);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  return status;
}

int hsq_pipe_cloexec(int fds[2]) {
#if defined(__linux__)
  return pipe2(fds, O_CLOEXEC) == 0 ? 0 : errno;
#else
  if (pipe(fds) != 0) return errno;
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  return 0;
#endif
}

int hsq_open_for_writing(const char *path) { return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600); }

int hsq_open_for_reading(const char *path) { return open(path, O_RDONLY | O_CLOEXEC); }
