/* util.h — small helpers every module uses: allocation that never returns
 * NULL, formatted strings, paths, and the one-line error format. */
#ifndef SYSTOUR_UTIL_H
#define SYSTOUR_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* Exit statuses, as DESIGN.md gives them. */
enum { EXIT_OK = 0, EXIT_WORK = 1, EXIT_USAGE = 2 };

/* Allocation wrappers: they abort with a message instead of returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Print "systour: MESSAGE" and a newline to stderr. */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A bug or an impossible state: print "systour: MESSAGE" and abort. */
void fatal_(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Read a whole file into a NUL-terminated buffer. Returns NULL and sets
 * errno on failure; *len (if given) receives the length. */
char *read_file(const char *path, size_t *len);

/* Create a directory and its parents (mode 0700 for new ones). 0 or -1. */
int mkdir_p(const char *path);

/* The directory for user data: $XDG_DATA_HOME/systour or
 * ~/.local/share/systour. Allocated. */
char *data_dir(void);

/* Milliseconds on the monotonic clock. */
long long now_ms(void);

#endif
