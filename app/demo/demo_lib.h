/* demo_lib.h — the helpers that the supervisor and every lesson module
 * share, so that each thing is said and done once: how a process ended
 * (one wording everywhere), writing a whole buffer, the monotonic clock,
 * and a process's state from /proc.
 *
 * demo_lib.c is compiled into the app and into every lesson module (the
 * Makefile adds it to each module's sources); in a module its symbols are
 * hidden, so the module still exports systour_lesson_module alone. Every
 * function here is async-signal-safe enough for a forked child (no locks,
 * no allocation) and safe from any thread. */
#ifndef SYSTOUR_DEMO_LIB_H
#define SYSTOUR_DEMO_LIB_H

#include <stddef.h>
#include <sys/types.h>

#pragma GCC visibility push(hidden)

/* How a process ended, as waitpid's status says, in the one wording of
 * systour: "exited with status 3", "killed by SIGKILL (signal 9)", or
 * "ended (status 0x137f)" for anything else. Written into buf (64 bytes
 * are always enough); returns buf. */
const char *demo_how(int status, char *buf, size_t len);

/* The same in Chinese when zh is non-zero ("以状态 3 退出"): what a demo
 * shows the learner (pass api->zh(ctx)); demo_how() is for what is
 * recorded. */
const char *demo_how_lang(int status, int zh, char *buf, size_t len);

/* Write all n bytes of p to fd, going on after EINTR and short writes.
 * 0, or -1 with errno set (a write returned 0: EIO). */
int demo_write_all(int fd, const void *p, size_t n);

/* The monotonic clock, in milliseconds and in nanoseconds. */
long long demo_now_ms(void);
long long demo_now_ns(void);

/* What /proc/PID/stat says about pid: its state letter (R, S, D, Z, T ...),
 * its parent and its process group (each may be NULL). Returns the state,
 * or 0 when there is no such process (or it cannot be read). */
char demo_proc_state(pid_t pid, pid_t *ppid, pid_t *pgrp);

#pragma GCC visibility pop

#endif
