/* demo_generator.c — lesson 07's "generator" demo: the notes' consumer and
 * produce, acted out by two coroutines on coswitch.c. c.send(n) puts n in
 * the generator's slot and switches to it; `n = yield r` puts r there and
 * switches back; c.close() switches in with GeneratorExit pending, and the
 * consumer ends. The timeline pane shows every switch. */
#define _GNU_SOURCE
#include "coro.h"

#include <stdio.h>
#include <string.h>

static const char generator_code[] =
	"def consumer():\n"                                             /* 1 */
	"    r = ''\n"
	"    while True:\n"
	"        n = yield r\n"
	"        if not n:\n"                                           /* 5 */
	"            return\n"
	"        print('[CONSUMER] Consuming %s...' % n)\n"
	"        r = '200 OK'\n"
	"\n"
	"\n"                                                            /* 10 */
	"def produce(c):\n"
	"    c.send(None)\n"
	"    n = 0\n"
	"    while n < 5:\n"
	"        n = n + 1\n"                                           /* 15 */
	"        print('[PRODUCER] Producing %s...' % n)\n"
	"        r = c.send(n)\n"
	"        print('[PRODUCER] Consumer return: %s' % r)\n"
	"    c.close()\n"
	"\n"                                                            /* 20 */
	"\n"
	"c = consumer()\n"
	"produce(c)\n";

/* The generator object: its coroutine, and the slot that send() and
 * yield pass values through (0 stands for None). */
static struct {
	struct demo_ctx *ctx;
	const struct demo_api *api;
	struct timeline tl;
	struct coctx producer;
	struct coro co;
	int sent;               /* the value of `yield r` once resumed */
	int closing;            /* GeneratorExit pending at the yield */
	const char *yielded;    /* the value of c.send() */
	int sends, yields;
} g;

#define TR(en, zh) DEMO_TR(g.api, g.ctx, en, zh)

/* n = yield r, in the consumer. Returns 0 when close() came instead. */
static int
yield(const char *r, int *n)
{
	char what[64];
	g.yielded = r;
	g.yields++;
	snprintf(what, sizeof what, "yield '%s'", r);
	tl_switch(&g.tl, "consumer", "producer", what);
	coswitch(&g.co.ctx, &g.producer);
	if (g.closing)
		return 0;
	*n = g.sent;
	return 1;
}

static void
consumer(void *arg)
{
	struct demo_actor *me = g.api->actor(g.ctx, 1, TR("consumer", "消费者"));
	const char *r;
	int n;
	g.api->step(me, 2);
	r = "";
	for (;;) {
		g.api->step(me, 4);
		if (!yield(r, &n)) {
			g.api->print(me, "%s\n", TR("GeneratorExit at the yield: "
			    "the consumer ends", "yield 处收到 GeneratorExit：consumer 结束"));
			break;
		}
		g.api->step(me, 5);
		if (!n) {
			g.api->step(me, 6);
			break;
		}
		g.api->step(me, 7);
		g.api->print(me, "[CONSUMER] Consuming %d...\n", n);
		g.api->step(me, 8);
		r = "200 OK";
	}
	g.api->release(me);
	tl_switch(&g.tl, "consumer", "producer", TR("the consumer has ended",
	    "consumer 已结束"));
}

/* c.send(n) in the producer: n == 0 is send(None). */
static const char *
send(int n)
{
	char what[64];
	if (n)
		snprintf(what, sizeof what, "send(%d)", n);
	else
		snprintf(what, sizeof what, "send(None)");
	g.sent = n;
	g.sends++;
	tl_switch(&g.tl, "producer", "consumer", what);
	coswitch(&g.producer, &g.co.ctx);
	return g.yielded;
}

static int
generator_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	const char *r;
	int n;
	memset(&g, 0, sizeof g);
	g.ctx = ctx;
	g.api = api;
	g.tl.api = api;
	g.tl.ctx = ctx;
	g.tl.a = api->actor(ctx, 2, DEMO_TR(api, ctx, "timeline", "时间线"));
	tl_start(&g.tl);

	api->step(me, 22);
	if (coro_init(&g.co, consumer, NULL, 256 * 1024, &g.producer) != 0)
		return perror("coro_init"), 1;
	api->print(me, "c = consumer(): %s %p .. %p (%s)\n",
	    TR("a generator with a stack of its own at", "一个生成器，自己的栈在"),
	    g.co.stack, (void *)((char *)g.co.stack + g.co.size),
	    TR("its body has not run yet", "函数体还没有运行"));
	api->step(me, 23);
	api->step(me, 12);
	api->note(me, "%s", TR("c.send(None) starts the generator: it runs to "
	    "its first yield and hands out ''.",
	    "c.send(None) 启动生成器：它运行到第一个 yield，交出 ''。"));
	r = send(0);
	api->print(me, "c.send(None) -> '%s'\n", r);
	api->step(me, 13);
	n = 0;
	while (api->step(me, 14), n < 5) {
		api->step(me, 15);
		n = n + 1;
		api->step(me, 16);
		api->print(me, "[PRODUCER] Producing %d...\n", n);
		api->step(me, 17);
		if (n == 1)
			api->note(me, "%s", TR("c.send(n): the producer waits inside "
			    "send, the consumer resumes at its yield with n.",
			    "c.send(n)：producer 停在 send 里，consumer 从 yield 处带着 n 继续。"));
		r = send(n);
		api->step(me, 18);
		api->print(me, "[PRODUCER] Consumer return: %s\n", r);
	}
	api->step(me, 19);
	api->note(me, "%s", TR("c.close(): GeneratorExit is raised at the yield "
	    "where the consumer stopped; it ends.",
	    "c.close()：在 consumer 停下的 yield 处抛出 GeneratorExit；它随之结束。"));
	g.closing = 1;
	tl_switch(&g.tl, "producer", "consumer", "close()");
	coswitch(&g.producer, &g.co.ctx);
	api->print(me, "%s %s\n", TR("the consumer is finished:",
	    "consumer 已结束："), g.co.done ? "GEN_CLOSED" : "?");
	api->figure(me, "sends", g.sends);
	api->figure(me, "yields", g.yields);
	api->figure(me, "switches", g.tl.switches);
	api->print(me, "%s %d\n", TR("threads in this process:", "本进程的线程数："),
	    threads_now());
	api->figure(me, "threads", threads_now());
	coro_free(&g.co);
	api->release(g.tl.a);
	return g.co.done ? 0 : 1;
}

static const char *const generator_panes[] = { "producer", "consumer",
	"timeline", NULL };
static const char *const generator_panes_zh[] = { "生产者", "消费者",
	"时间线", NULL };

const struct systour_demo generator_demo = {
	.name = "generator",
	.title_en = "A generator as producer/consumer: send() switches to the "
	    "consumer, yield switches back with the reply",
	.title_zh = "生成器实现生产者/消费者：send() 切到 consumer，yield 带着回复切回来",
	.code = generator_code,
	.panes = generator_panes,
	.panes_zh = generator_panes_zh,
	.run = generator_run,
};
