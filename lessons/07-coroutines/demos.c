/* demos.c — the module of lesson 07 (coroutines): the table of its live
 * demos, one file each: the notes' producer/consumer generator
 * (demo_generator.c), two greenlets printing 1 x 2 y 3 z
 * (demo_greenlet.c), and gevent's spawn, Pool(2) and a call that blocks
 * the hub (demo_pool.c, with its HTTP server in pool_server.c). All of
 * them switch with coswitch.c; their timeline pane is timeline.c. */
#define _GNU_SOURCE
#include "coro.h"

static const struct systour_demo *const demos[] = { &generator_demo,
	&greenlet_demo, &pool_demo, NULL };

const struct systour_lesson_module systour_lesson_module = {
	.abi = SYSTOUR_LESSON_ABI,
	.lesson = "07-coroutines",
	.demos = demos,
};
