/* coro.h — what lesson 07's demos share: the demo table entries, and the
 * timeline pane that every demo keeps of its switches (timeline.c). */
#ifndef SYSTOUR_LESSON07_CORO_H
#define SYSTOUR_LESSON07_CORO_H

#include "lesson_module.h"
#include "demo_lib.h"
#include "coswitch.h"

#pragma GCC visibility push(hidden)

extern const struct systour_demo generator_demo, greenlet_demo, pool_demo;

/* A pane of events, each with the time since start, in ms with a
 * fraction. Used from one thread (any of its coroutines). */
struct timeline {
	const struct demo_api *api;
	struct demo_ctx *ctx;
	struct demo_actor *a;
	long long t0_ns;
	int switches;
};

/* t->a must be set; starts the clock. */
void tl_start(struct timeline *t);

/* "+12.345 ms  #3  from -> to  what": one switch, counted. */
void tl_switch(struct timeline *t, const char *from, const char *to,
    const char *what);

/* "+12.345 ms      what": an event that is not a switch. printf-like. */
void tl_event(struct timeline *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The learner's language's string of the two. */
#define TL_TR(t, en, zh) DEMO_TR((t)->api, (t)->ctx, en, zh)

/* Milliseconds since tl_start. */
double tl_ms(const struct timeline *t);

/* ns per switch of coswitch() and of swapcontext(), measured now over
 * rounds round trips of coswitch and rounds / 10 of swapcontext (a system
 * call each way makes it a hundred times slower) between two coroutines. */
void measure_switch(long rounds, double *coswitch_ns, double *swapcontext_ns);

/* coswitch_kind() in the learner's language. */
const char *switch_kind(const struct demo_api *api, struct demo_ctx *ctx);

/* The threads of this process now, from /proc/self/status. */
int threads_now(void);

#pragma GCC visibility pop

#endif
