/* coswitch.h — the context switch of lesson 07, written to be read: a
 * coroutine is a stack of its own plus the few registers a function call
 * must keep; switching is saving those on the current stack, storing the
 * stack pointer, and loading the other one's (coswitch.c: a few lines of
 * assembly for x86-64 and aarch64, ucontext's swapcontext elsewhere).
 *
 * One thread runs one coroutine at a time; nothing here is thread-safe,
 * nothing here makes a system call (except the ucontext fallback, whose
 * swapcontext calls rt_sigprocmask: that is the point of the lesson). */
#ifndef SYSTOUR_COSWITCH_H
#define SYSTOUR_COSWITCH_H

#include <stddef.h>

#if !defined(COSWITCH_UCONTEXT) && !defined(__x86_64__) && !defined(__aarch64__)
#define COSWITCH_UCONTEXT 1
#endif

#ifdef COSWITCH_UCONTEXT
#include <ucontext.h>
struct coctx {
	ucontext_t uc;
};
#else
/* All a suspended coroutine needs: where its stack pointer was. The
 * callee-saved registers are on that stack. */
struct coctx {
	void *sp;
};
#endif

#pragma GCC visibility push(hidden)

/* Save the running context in from, resume to. Returns when something
 * switches back to from. */
void coswitch(struct coctx *from, struct coctx *to);

/* A coroutine: fn(arg) on a stack of its own. */
struct coro {
	struct coctx ctx;
	struct coctx *back;     /* where to go when fn returns */
	void (*fn)(void *);
	void *arg;
	void *stack;
	size_t size;
	int done;               /* fn has returned */
};

/* Make co ready to run fn(arg) on a new stack of size bytes (mmap'd, with
 * a guard page below it); when fn returns, co->done is set and control
 * goes to *back for good. 0, or -1 with errno set. */
int coro_init(struct coro *co, void (*fn)(void *), void *arg, size_t size,
    struct coctx *back);

/* Unmap co's stack. co must not be running. */
void coro_free(struct coro *co);

/* Which switch this build runs: "x86-64 assembly", "aarch64 assembly" or
 * "ucontext (swapcontext)". */
const char *coswitch_kind(void);

#pragma GCC visibility pop

#endif
