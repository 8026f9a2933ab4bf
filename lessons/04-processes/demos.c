/* demos.c — the live demos of lesson 04 (processes): fork with
 * copy-on-write. Built into demos.so and loaded by the tutor. */
#include "lesson_module.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static const char fork_code[] =
	"import os\n"                                           /* 1 */
	"value = 1\n"                                           /* 2 */
	"pid = os.fork()\n"                                     /* 3 */
	"if pid == 0:\n"                                        /* 4 */
	"    value = 2\n"                                       /* 5 */
	"    print('child', os.getpid(), 'value', value)\n"     /* 6 */
	"    os._exit(0)\n"                                     /* 7 */
	"else:\n"                                               /* 8 */
	"    print('parent', os.getpid(), 'value', value)\n"    /* 9 */
	"    os.waitpid(pid, 0)\n";                             /* 10 */

static int
fork_run(struct demo_ctx *ctx, const struct demo_api *api)
{
	static int value = 1;   /* one page of memory, copied on write */

	api->step(ctx, 2);
	printf("value = %d at %p\n", value, (void *)&value);
	api->step(ctx, 3);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		api->to_pane(ctx, 1, "child");
		printf("fork() returned 0: I am the child, PID %d, parent %d\n",
		    (int)getpid(), (int)getppid());
		api->step(ctx, 5);
		value = 2;
		printf("value = %d at %p (same address, my own copy now)\n",
		    value, (void *)&value);
		api->step(ctx, 7);
		_exit(0);
	}
	printf("fork() returned %d: I am the parent, PID %d\n", (int)pid,
	    (int)getpid());
	api->step(ctx, 9);
	printf("value = %d at %p (the child's write did not reach me)\n",
	    value, (void *)&value);
	api->step(ctx, 10);
	int status;
	waitpid(pid, &status, 0);
	printf("waitpid: child %d exited with status %d\n", (int)pid,
	    WEXITSTATUS(status));
	return 0;
}

static const char *const fork_panes[] = { "parent", "child", NULL };

static const struct systour_demo fork_demo = {
	.name = "fork",
	.title_en = "fork(): one call, two returns, and copy-on-write",
	.title_zh = "fork()：一次调用，两次返回，以及写时复制",
	.code = fork_code,
	.panes = fork_panes,
	.run = fork_run,
};

static const struct systour_demo *const demos[] = { &fork_demo, NULL };

const struct systour_lesson_module systour_lesson_module = {
	.abi = SYSTOUR_LESSON_ABI,
	.lesson = "04-processes",
	.demos = demos,
};
