#include "interrupt.h"

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>

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
