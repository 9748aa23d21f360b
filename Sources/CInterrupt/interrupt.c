#define _GNU_SOURCE /* ppoll */
#include "interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

/* The only state a signal handler may touch: one sig_atomic_t. */
static volatile sig_atomic_t hsq_interrupt_flag = 0;

static void hsq_interrupt_handler(int signo) {
  (void)signo;
  hsq_interrupt_flag = 1;
}

int hsq_interrupt_install(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = hsq_interrupt_handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0; /* no SA_RESTART: blocking reads return EINTR */
  if (sigaction(SIGINT, &action, NULL) != 0) return -1;
  /* A parent may have started us with SIGINT blocked (e.g. from a thread that blocks it): unblock it here. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  return pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int hsq_interrupt_requested(void) { return hsq_interrupt_flag != 0; }

void hsq_interrupt_reset(void) { hsq_interrupt_flag = 0; }

int hsq_interrupt_is_installed(void) {
  struct sigaction current;
  if (sigaction(SIGINT, NULL, &current) != 0) return 0;
  return current.sa_handler == hsq_interrupt_handler && (current.sa_flags & SA_RESTART) == 0;
}

ssize_t hsq_interrupt_read(int fd, void *buffer, size_t count) {
  sigset_t interrupt, saved;
  sigemptyset(&interrupt);
  sigaddset(&interrupt, SIGINT);
  /* SIGINT stays blocked except inside ppoll, which unblocks it and waits in one step: a Ctrl-C
     either came before (the flag is seen here) or during the wait (ppoll returns EINTR). One that
     comes during the read stays pending until the mask is restored, and the next call sees it. */
  pthread_sigmask(SIG_BLOCK, &interrupt, &saved);
  ssize_t result;
  for (;;) {
    if (hsq_interrupt_flag) {
      errno = EINTR;
      result = -1;
      break;
    }
    struct pollfd wanted = {.fd = fd, .events = POLLIN, .revents = 0};
    if (ppoll(&wanted, 1, NULL, &saved) < 0) {
      if (errno == EINTR) continue; /* the flag decides; another signal only wakes us */
      result = -1;
      break;
    }
    result = read(fd, buffer, count);
    if (result < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    break;
  }
  int error = errno;
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  errno = error;
  return result;
}

int hsq_interrupt_open_terminal_reader(int fd) {
  if (!isatty(fd)) return -1;
  char path[PATH_MAX];
  if (ttyname_r(fd, path, sizeof path) != 0) snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  return open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
}
