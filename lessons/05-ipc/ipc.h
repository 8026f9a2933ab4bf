/* ipc.h — what the files of lesson 05's module share: the pickles the
 * demos send and how strace would show them, what the kernel says about an
 * actor (/proc/PID/stat, syscall, wchan, fd), how an actor ends, the
 * message transport (transport.h) and the four demos that demos.c lists.
 *
 *   demos.c           the module table
 *   common.c          the helpers declared here
 *   demo_queue.c      queue: the notes' Queue, two writers and one reader
 *   demo_pipe.c       pipe: Pipe() duplex and simplex
 *   demo_pipe_eof.c   pipe-eof: recv() sees EOF once every sending end is
 *                     closed
 *   demo_pipe_full.c  pipe-full: a writer asleep on a full pipe
 *
 * Everything here is hidden: the module exports systour_lesson_module
 * alone. */
#ifndef SYSTOUR_LESSON05_IPC_H
#define SYSTOUR_LESSON05_IPC_H

#include "demo_lib.h"
#include "lesson_module.h"

#include <stddef.h>
#include <sys/types.h>

/* transport.h is header-only, its functions static (the bench includes it
 * too); a demo file may use only some of them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "transport.h"
#pragma GCC diagnostic pop

#pragma GCC visibility push(hidden)

/* ---- pickle.dumps(obj) for what the demos send (common.c) ------------- */

/* Protocol 4: pickle.dumps(s) into out (strlen(s) + 15 bytes), for s of
 * at most 255 bytes; pickle.dumps(v) for a list of count (2..100) small
 * ints (2 * count + 16 bytes). Each returns the pickle's length. */
size_t pickle_str(unsigned char *out, const char *s);
size_t pickle_ints(unsigned char *out, const int *v, int count);
/* What print(pickle.loads(p)) shows, for the two kinds above. */
void unpickle(const unsigned char *p, size_t n, char *out, size_t cap);
/* Bytes as strace shows them: "\0\0\0\21\200\4\225...hi\224." */
const char *strace_str(char *out, size_t cap, const void *buf, size_t n);

/* ---- What the kernel sees, from /proc (common.c) ---------------------- */

struct pstate {
	char state;             /* /proc/PID/stat: R, S, D ... */
	long nr;                /* /proc/PID/syscall: the call it is in (-1:
	                         * running, -100: unreadable) */
	unsigned long arg0;     /* and its first argument */
	char wchan[64];         /* /proc/PID/wchan: where it waits in the kernel */
};

/* Is pid asleep (state S) in system call nr or nr2, on fd if fd >= 0
 * (without /proc/PID/syscall: in a kernel function named like wchan)? */
int asleep_in(pid_t pid, long nr, long nr2, long fd, const char *wchan,
    struct pstate *ps);
void nap_ms(long ms);
/* Watch pid until it is asleep as above: 1 ms naps, at most 2000. 0, or
 * -1. */
int wait_asleep(pid_t pid, long nr, long nr2, long fd, const char *wchan,
    struct pstate *ps);
/* The file descriptors of pid open on object want ("pipe:[123]"), as
 * "3 5"; their count. */
int fds_on(pid_t pid, const char *want, char *out, size_t cap);
/* What our fd is open on: "pipe:[123]". */
const char *fd_target(int fd, char *out, size_t cap);

/* An actor ends: flush, no atexit. */
void child_exit(int status) __attribute__((noreturn));

/* ---- The demos -------------------------------------------------------- */

extern const struct systour_demo queue_demo;    /* demo_queue.c */
extern const struct systour_demo pipe_demo;     /* demo_pipe.c */
extern const struct systour_demo eof_demo;      /* demo_pipe_eof.c */
extern const struct systour_demo full_demo;     /* demo_pipe_full.c */

#pragma GCC visibility pop

#endif
