/* Solution: coroutines/02-round-robin. */
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define MAXTASK 16
#define STACK (64 * 1024)

static ucontext_t sched;                 /* the scheduler's context */
static ucontext_t ctx[MAXTASK];          /* one per task */
static int done[MAXTASK];
static int ntask, k;

static void task(int i)
{
	for (int j = 0; j < k + i; j++) {    /* j lives on this task's own stack */
		printf("task %d step %d\n", i, j);
		swapcontext(&ctx[i], &sched);    /* yield */
	}
	done[i] = 1;                         /* returning goes to uc_link */
}

int main(int argc, char **argv)
{
	ntask = argc > 1 ? atoi(argv[1]) : 3;
	k = argc > 2 ? atoi(argv[2]) : 2;
	if (ntask < 1 || ntask > MAXTASK)
		return 2;
	char *stacks[MAXTASK];
	for (int i = 0; i < ntask; i++) {
		stacks[i] = malloc(STACK);
		getcontext(&ctx[i]);
		ctx[i].uc_stack.ss_sp = stacks[i];
		ctx[i].uc_stack.ss_size = STACK;
		ctx[i].uc_link = &sched;         /* where a finished task goes */
		makecontext(&ctx[i], (void (*)(void))task, 1, i);
	}
	for (int left = ntask; left > 0;) {
		left = 0;
		for (int i = 0; i < ntask; i++) {
			if (done[i])
				continue;
			swapcontext(&sched, &ctx[i]);   /* run task i until it yields or ends */
			left += !done[i];
		}
	}
	for (int i = 0; i < ntask; i++)
		free(stacks[i]);
	printf("all done\n");
	return 0;
}
