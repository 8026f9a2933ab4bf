/* demos.c — the module of lesson 05 (IPC): the table of its live demos,
 * one file each: a Queue built like multiprocessing's (demo_queue.c), Pipe
 * duplex and simplex (demo_pipe.c), when recv() sees EOF
 * (demo_pipe_eof.c), and a writer stuck on a full pipe (demo_pipe_full.c);
 * their shared helpers are in common.c. Built with them into demos.so and
 * loaded by the tutor. */
#define _GNU_SOURCE
#include "ipc.h"

static const struct systour_demo *const demos[] = { &queue_demo, &pipe_demo,
	&eof_demo, &full_demo, NULL };

const struct systour_lesson_module systour_lesson_module = {
	.abi = SYSTOUR_LESSON_ABI,
	.lesson = "05-ipc",
	.demos = demos,
};
