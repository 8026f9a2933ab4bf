/* switch.c — lesson 07's hand-written context switch (lessons/07-coroutines/
 * coswitch.c, compiled in here) against glibc's swapcontext() and against
 * boost.context's jump_fcontext (libboost_context, opened with dlopen, so
 * only this bench needs it and the build does not link it), side by side
 * in one run.
 *
 * Each measure is a ping-pong: the main context switches to a coroutine,
 * which switches straight back, N times; the figure is the time per switch
 * (a round trip is two). Rounds alternate (coswitch, boost, swapcontext,
 * coswitch, ...) on one pinned CPU, and each side's figure is the median of
 * its rounds. Both the hand-written switch and jump_fcontext are called
 * through a function pointer, so neither gets the other's call for free.
 * Prints one line: swapcontext's time over coswitch's (target: 50 or more)
 * and coswitch's time over jump_fcontext's (target: 1.25 or less). */
#include "bench.h"
#include "../lessons/07-coroutines/coswitch.c"

#include <dlfcn.h>
#include <sched.h>
#include <stdio.h>
#include <ucontext.h>

#define ROUNDS 7
#define N_FAST 2000000L         /* round trips for coswitch and boost */
#define N_SLOW 100000L          /* round trips for swapcontext */
#define TARGET_UC 50.0
#define TARGET_BOOST 1.25

/* ---- coswitch ---------------------------------------------------------- */

static struct coctx cs_main;
static struct coro cs_co;
static void (*cs_switch)(struct coctx *, struct coctx *);

static void
cs_pong(void *arg)
{
	for (;;)
		cs_switch(&cs_co.ctx, &cs_main);
}

static double
run_coswitch(long n)
{
	double t = bench_now();
	for (long i = 0; i < n; i++)
		cs_switch(&cs_main, &cs_co.ctx);
	return (bench_now() - t) / (2.0 * (double)n);
}

/* ---- swapcontext ------------------------------------------------------- */

static ucontext_t uc_main, uc_co;

static void
uc_pong(void)
{
	for (;;)
		swapcontext(&uc_co, &uc_main);
}

static double
run_swapcontext(long n)
{
	double t = bench_now();
	for (long i = 0; i < n; i++)
		swapcontext(&uc_main, &uc_co);
	return (bench_now() - t) / (2.0 * (double)n);
}

/* ---- boost.context ----------------------------------------------------- */

typedef void *fcontext_t;
typedef struct {
	fcontext_t fctx;
	void *data;
} transfer_t;
static transfer_t (*jump_fcontext)(fcontext_t, void *);
static fcontext_t (*make_fcontext)(void *, size_t, void (*)(transfer_t));
static fcontext_t bc_co;

static void
bc_pong(transfer_t t)
{
	for (;;)
		t = jump_fcontext(t.fctx, NULL);
}

static double
run_boost(long n)
{
	double t = bench_now();
	for (long i = 0; i < n; i++)
		bc_co = jump_fcontext(bc_co, NULL).fctx;
	return (bench_now() - t) / (2.0 * (double)n);
}

static const char *
load_boost(void)
{
	static char why[256];
	void *h = dlopen("libboost_context.so", RTLD_NOW);
	if (h == NULL) {
		snprintf(why, sizeof why, "%s (apt-get install "
		    "libboost-context-dev)", dlerror());
		return why;
	}
	*(void **)&jump_fcontext = dlsym(h, "jump_fcontext");
	*(void **)&make_fcontext = dlsym(h, "make_fcontext");
	if (jump_fcontext == NULL || make_fcontext == NULL)
		return "libboost_context.so has no jump_fcontext/make_fcontext";
	return NULL;
}

int
main(void)
{
	static char ustack[64 * 1024], bstack[64 * 1024];
	double cs[ROUNDS], uc[ROUNDS], bc[ROUNDS];
	const char *label = "coroutine switch";
	const char *noboost = load_boost();
	void (*p)(struct coctx *, struct coctx *) = coswitch;

	__asm__ volatile("" : "+r"(p));        /* a pointer, as dlsym's is */
	cs_switch = p;

	bench_pin(sched_getcpu() < 0 ? 0 : sched_getcpu());
	if (coro_init(&cs_co, cs_pong, NULL, 64 * 1024, &cs_main) != 0 ||
	    getcontext(&uc_co) != 0) {
		printf("%s: failed: cannot make a coroutine\n", label);
		return 1;
	}
	uc_co.uc_stack.ss_sp = ustack;
	uc_co.uc_stack.ss_size = sizeof ustack;
	makecontext(&uc_co, uc_pong, 0);
	if (noboost == NULL)
		bc_co = make_fcontext(bstack + sizeof bstack, sizeof bstack,
		    bc_pong);
	/* warm up: stacks touched, code in the cache */
	run_coswitch(N_FAST / 10);
	run_swapcontext(N_SLOW / 10);
	if (noboost == NULL)
		run_boost(N_FAST / 10);
	for (int r = 0; r < ROUNDS; r++) {
		cs[r] = run_coswitch(N_FAST);
		bc[r] = noboost == NULL ? run_boost(N_FAST) : 0;
		uc[r] = run_swapcontext(N_SLOW);
	}
	double c = bench_median(cs, ROUNDS) * 1e9;
	double u = bench_median(uc, ROUNDS) * 1e9;
	double b = bench_median(bc, ROUNDS) * 1e9;
	printf("%s (%s): %.1fx faster than swapcontext (%.2f ns vs %.1f ns per "
	    "switch) [target >= %.0f: %s]", label, coswitch_kind(), u / c, c, u,
	    TARGET_UC, u / c >= TARGET_UC ? "ok" : "MISSED");
	if (noboost != NULL)
		printf("; boost jump_fcontext: skipped: %s [info]\n", noboost);
	else
		printf("; %.2f of boost jump_fcontext's time (%.2f ns per switch) "
		    "[target <= %.2f: %s]\n", c / b, b, TARGET_BOOST,
		    c / b <= TARGET_BOOST ? "ok" : "MISSED");
	coro_free(&cs_co);
	return 0;
}
