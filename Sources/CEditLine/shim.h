#ifndef HSQ_CEDITLINE_SHIM_H
#define HSQ_CEDITLINE_SHIM_H
#include <stdio.h>
#include <histedit.h>
/* Wrappers for libedit's C-variadic functions and the C stdio globals Swift 6 rejects. */
static inline FILE *hsq_stdin(void) { return stdin; }
static inline FILE *hsq_stdout(void) { return stdout; }
static inline FILE *hsq_stderr(void) { return stderr; }

/* ---- el_set / el_get, one wrapper per use ---- */

/* The prompt callback type (el_pfunc_t) and a key-bound function (el_func_t). */
typedef char *(*hsq_el_prompt_fn)(EditLine *);
typedef unsigned char (*hsq_el_key_fn)(EditLine *, int);

static inline int hsq_el_set_prompt(EditLine *el, hsq_el_prompt_fn fn) {
  return el_set(el, EL_PROMPT, fn);
}
static inline int hsq_el_set_editor(EditLine *el, const char *mode) {
  return el_set(el, EL_EDITOR, mode);
}
/* `bind key command`, e.g. ("^R", "em-inc-search-prev"). */
static inline int hsq_el_bind(EditLine *el, const char *key, const char *command) {
  return el_set(el, EL_BIND, key, command, (const char *)NULL);
}
/* Registers a named editor function that `hsq_el_bind` can bind. */
static inline int hsq_el_add_function(EditLine *el, const char *name, const char *help, hsq_el_key_fn fn) {
  return el_set(el, EL_ADDFN, name, help, fn);
}
/* The function libedit reads each character with (el_rfunc_t): 1 and the character, 0 at end of
   input, -1 with errno set. */
typedef int (*hsq_el_read_fn)(EditLine *, wchar_t *);

static inline int hsq_el_set_read_function(EditLine *el, hsq_el_read_fn fn) {
  return el_set(el, EL_GETCFN, fn);
}
/* Attaches a History (narrow) for Up/Down and incremental search. */
static inline int hsq_el_set_history(EditLine *el, History *h) {
  return el_set(el, EL_HIST, history, h);
}
/* 0 stops libedit installing its own signal handlers (the default). */
static inline int hsq_el_set_signal(EditLine *el, int on) {
  return el_set(el, EL_SIGNAL, on);
}
static inline int hsq_el_set_client_data(EditLine *el, void *data) {
  return el_set(el, EL_CLIENTDATA, data);
}
static inline void *hsq_el_client_data(EditLine *el) {
  void *data = NULL;
  if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
  return data;
}
/* The terminal width in columns (termcap "co"), or `fallback`. */
static inline int hsq_el_columns(EditLine *el, int fallback) {
  int columns = 0;
  if (el_get(el, EL_GETTC, "co", &columns, (void *)NULL) != 0 || columns <= 0) return fallback;
  return columns;
}

/* ---- history(), one wrapper per operation ---- */

static inline int hsq_history_set_size(History *h, HistEvent *ev, int size) {
  return history(h, ev, H_SETSIZE, size);
}
/* 1: entering a line equal to the newest entry is a no-op. */
static inline int hsq_history_set_unique(History *h, HistEvent *ev, int unique) {
  return history(h, ev, H_SETUNIQUE, unique);
}
static inline int hsq_history_enter(History *h, HistEvent *ev, const char *line) {
  return history(h, ev, H_ENTER, line);
}
static inline int hsq_history_clear(History *h, HistEvent *ev) {
  return history(h, ev, H_CLEAR);
}
/* Number of entries loaded, or -1. */
static inline int hsq_history_load(History *h, HistEvent *ev, const char *path) {
  return history(h, ev, H_LOAD, path);
}
/* Number of entries written, or -1. */
static inline int hsq_history_save_fp(History *h, HistEvent *ev, FILE *fp) {
  return history(h, ev, H_SAVE_FP, fp);
}
/* Oldest entry (H_LAST); then H_PREV walks towards the newest. 0 on success. */
static inline int hsq_history_oldest(History *h, HistEvent *ev) {
  return history(h, ev, H_LAST);
}
/* Newest entry (H_FIRST). 0 on success. */
static inline int hsq_history_newest(History *h, HistEvent *ev) {
  return history(h, ev, H_FIRST);
}
static inline int hsq_history_newer(History *h, HistEvent *ev) {
  return history(h, ev, H_PREV);
}
#endif
