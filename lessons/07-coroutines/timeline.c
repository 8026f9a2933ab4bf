/* timeline.c — the timeline pane of lesson 07's demos (coro.h), and a
 * quick measure of one switch against one swapcontext() for them to show. */
#define _GNU_SOURCE
#include "coro.h"

#include <stdarg.h>
#include <stdio.h>
#include <ucontext.h>

void
tl_start(struct timeline *t)
{
	t->t0_ns = demo_now_ns();
	t->switches = 0;
}

double
tl_ms(const struct timeline *t)
{
	return (double)(demo_now_ns() - t->t0_ns) / 1e6;
}

void
tl_switch(struct timeline *t, const char *from, const char *to,
    const char *what)
{
	t->switches++;
	t->api->print(t->a, "%+9.3f ms  #%-2d %s -> %s  %s\n", tl_ms(t),
	    t->switches, from, to, what);
}

void
tl_event(struct timeline *t, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	t->api->print(t->a, "%+9.3f ms      %s\n", tl_ms(t), line);
}

/* ---- one switch, measured ---------------------------------------------- */

static struct coctx m_main;
static struct coro m_co;
static ucontext_t u_main, u_co;

static void
ping(void *arg)
{
	for (;;)
		coswitch(&m_co.ctx, &m_main);
}

static void
uping(void)
{
	for (;;)
		swapcontext(&u_co, &u_main);
}

void
measure_switch(long rounds, double *cs_ns, double *uc_ns)
{
	static char ustack[64 * 1024];
	long long t;
	*cs_ns = *uc_ns = 0;
	if (coro_init(&m_co, ping, NULL, 16384, &m_main) == 0) {
		t = demo_now_ns();
		for (long i = 0; i < rounds; i++)
			coswitch(&m_main, &m_co.ctx);
		*cs_ns = (double)(demo_now_ns() - t) / (2.0 * (double)rounds);
		coro_free(&m_co);
	}
	if (getcontext(&u_co) == 0) {
		u_co.uc_stack.ss_sp = ustack;
		u_co.uc_stack.ss_size = sizeof ustack;
		u_co.uc_link = NULL;
		makecontext(&u_co, uping, 0);
		t = demo_now_ns();
		long n = rounds / 10;
		for (long i = 0; i < n; i++)
			swapcontext(&u_main, &u_co);
		*uc_ns = (double)(demo_now_ns() - t) / (2.0 * (double)n);
	}
}

int
threads_now(void)
{
	char line[256];
	int n = 0;
	FILE *f = fopen("/proc/self/status", "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

const char *
switch_kind(const struct demo_api *api, struct demo_ctx *ctx)
{
	const char *k = coswitch_kind();
	return k[0] == 'x' ? DEMO_TR(api, ctx, k, "x86-64 汇编") :
	    k[0] == 'a' ? DEMO_TR(api, ctx, k, "aarch64 汇编") :
	    DEMO_TR(api, ctx, k, "ucontext（swapcontext）");
}
