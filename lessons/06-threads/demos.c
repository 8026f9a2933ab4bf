/* demos.c — the module of lesson 06 (threads): the table of its live
 * demos, one file each (see threads.h); their shared helpers are in
 * common.c. Built with them into demos.so and loaded by the tutor. */
#define _GNU_SOURCE
#include "threads.h"

static const struct systour_demo *const demos[] = { &threads_demo, &race_demo, &rlock_demo, &deadlock_demo, &gil_demo, &condition_demo, NULL };

const struct systour_lesson_module systour_lesson_module = {
	.abi = SYSTOUR_LESSON_ABI,
	.lesson = "06-threads",
	.demos = demos,
};
