/* demo_greenlet.c — lesson 07's "greenlet" demo: the notes' A and B, two
 * coroutines on stacks of their own (coswitch.c), each switching to the
 * other after each print: 1 x 2 y 3 z, every time. The timeline pane shows
 * every switch; the end measures one switch against swapcontext(). */
#define _GNU_SOURCE
#include "coro.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char greenlet_code[] =
	"from greenlet import greenlet\n"                               /* 1 */
	"\n"
	"def A():\n"
	"    print('1'); gb.switch()\n"
	"    print('2'); gb.switch()\n"                                 /* 5 */
	"    print('3'); gb.switch()\n"
	"\n"
	"def B():\n"
	"    print('x'); ga.switch()\n"
	"    print('y'); ga.switch()\n"                                 /* 10 */
	"    print('z')                 # B ends: back to its parent, main\n"
	"\n"
	"ga, gb = greenlet(A), greenlet(B)\n"
	"ga.switch()                    # prints 1 x 2 y 3 z\n"
	"print(ga.dead, gb.dead)        # False True\n";               /* 15 */

/* The run, as every coroutine of it sees it (one thread: no locks). */
static struct {
	struct demo_ctx *ctx;
	const struct demo_api *api;
	struct timeline tl;
	struct coctx main;
	struct coro a, b;
	char order[64];                 /* what was printed, in order */
} g;

#define TR(en, zh) DEMO_TR(g.api, g.ctx, en, zh)

/* print(s) in the coroutine's pane, with where its stack is. */
static void
say(struct demo_actor *me, const char *who, const char *s)
{
	int local;
	g.api->print(me, "%s    %s %p)\n", s,
	    TR("(a local on my own stack, at", "(我自己栈上的局部变量，地址"),
	    (void *)&local);
	tl_event(&g.tl, "%s: print('%s')", who, s);
	if (g.order[0])
		strcat(g.order, " ");
	strcat(g.order, s);
}

/* gb.switch() from A (or ga.switch() from B). */
static void
sw(struct coro *from, struct coro *to, const char *f, const char *t,
    const char *what)
{
	tl_switch(&g.tl, f, t, what);
	coswitch(&from->ctx, &to->ctx);
}

static void
A(void *arg)
{
	struct demo_actor *me = g.api->actor(g.ctx, 1, "greenlet A");
	static const char *const s[] = { "1", "2", "3" };
	for (int i = 0; i < 3; i++) {
		g.api->step(me, 4 + i);
		say(me, "A", s[i]);
		sw(&g.a, &g.b, "A", "B", "gb.switch()");
	}
	g.api->release(me);     /* never reached: nobody switches back to A */
}

static void
B(void *arg)
{
	struct demo_actor *me = g.api->actor(g.ctx, 2, "greenlet B");
	g.api->step(me, 9);
	say(me, "B", "x");
	sw(&g.b, &g.a, "B", "A", "ga.switch()");
	g.api->step(me, 10);
	say(me, "B", "y");
	sw(&g.b, &g.a, "B", "A", "ga.switch()");
	g.api->step(me, 11);
	say(me, "B", "z");
	g.api->release(me);
	tl_switch(&g.tl, "B", "main",
	    TR("B returns: to its parent", "B 返回：回到它的父协程"));
}       /* coro_main switches to g.b.back, main */

static int
greenlet_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	double cs, uc;
	memset(&g, 0, sizeof g);
	g.ctx = ctx;
	g.api = api;
	g.tl.api = api;
	g.tl.ctx = ctx;
	g.tl.a = api->actor(ctx, 3, DEMO_TR(api, ctx, "timeline", "时间线"));
	tl_start(&g.tl);

	api->step(me, 13);
	if (coro_init(&g.a, A, NULL, 256 * 1024, &g.main) != 0 ||
	    coro_init(&g.b, B, NULL, 256 * 1024, &g.main) != 0)
		return perror("coro_init"), 1;
	api->print(me, "ga = greenlet(A): %s %p .. %p\n",
	    TR("a stack of its own,", "自己的一个栈，"), g.a.stack,
	    (void *)((char *)g.a.stack + g.a.size));
	api->print(me, "gb = greenlet(B): %s %p .. %p\n",
	    TR("a stack of its own,", "自己的一个栈，"), g.b.stack,
	    (void *)((char *)g.b.stack + g.b.size));
	api->print(me, "%s %s\n", TR("the switch:", "切换用的是："),
	    switch_kind(api, ctx));
	api->note(me, "%s", TR("Each greenlet is a stack of its own; a switch "
	    "saves the callee-saved registers and the stack pointer, and loads "
	    "the other's.",
	    "每个 greenlet 都有自己的栈；切换就是保存被调用者保存的寄存器和栈指针，"
	    "再载入另一个的。"));

	api->step(me, 14);
	tl_switch(&g.tl, "main", "A", "ga.switch()");
	coswitch(&g.main, &g.a.ctx);
	/* back here only when B has returned (its parent is main) */
	api->print(me, "%s %s\n", TR("printed, in order:", "按顺序打印的是："),
	    g.order);
	api->figure(me, "switches", g.tl.switches);

	api->step(me, 15);
	api->print(me, "%s %s\n", g.a.done ? "True" : "False",
	    g.b.done ? "True" : "False");
	api->print(me, "%s\n", TR("(A is still suspended inside its third "
	    "gb.switch(): nobody switches back to it)",
	    "（A 仍停在第三次 gb.switch() 里：没有谁再切回它）"));
	api->figure(me, "a_dead", g.a.done);
	api->figure(me, "b_dead", g.b.done);
	coro_free(&g.a);
	coro_free(&g.b);

	measure_switch(1000000, &cs, &uc);
	api->print(me, "%s %.1f ns; swapcontext: %.1f ns (%s)\n",
	    TR("one switch, measured now: coswitch", "实测一次切换：coswitch"), cs,
	    uc, TR("it also swaps the signal mask: an rt_sigprocmask system "
	    "call each time", "它还要切换信号掩码：每次一个 rt_sigprocmask 系统调用"));
	api->figure(me, "coswitch_ns_x10", (long long)(cs * 10 + 0.5));
	api->figure(me, "swapcontext_ns_x10", (long long)(uc * 10 + 0.5));
	api->release(g.tl.a);
	return 0;
}

static const char *const greenlet_panes[] = { "main", "greenlet A",
	"greenlet B", "timeline", NULL };
static const char *const greenlet_panes_zh[] = { "主程序", "greenlet A",
	"greenlet B", "时间线", NULL };

const struct systour_demo greenlet_demo = {
	.name = "greenlet",
	.title_en = "greenlet: two coroutines, each on its own stack, switch "
	    "after every print: 1 x 2 y 3 z",
	.title_zh = "greenlet：两个协程，各有自己的栈，每次 print 后切换：1 x 2 y 3 z",
	.code = greenlet_code,
	.panes = greenlet_panes,
	.panes_zh = greenlet_panes_zh,
	.run = greenlet_run,
};
