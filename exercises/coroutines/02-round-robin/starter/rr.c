/*
 * 任务：./prog N K 有 N 个任务（0..N-1），任务 i 一共走 K+i 步，每一步打印
 *       "task <i> step <j>"，然后让出 CPU：swapcontext 回到调度器。调度器轮流
 *       （round-robin）切换到每个还没结束的任务，直到全部结束，再打印 "all done"。
 *       每个任务有自己的栈（makecontext），它的局部变量在两次切换之间保持不变。
 *       现在调度器只是依次调用每个任务，一个任务一口气跑完：改成真正的切换。
 * Task: ./prog N K has N tasks (0..N-1); task i takes K+i steps, each
 *       printing "task <i> step <j>" and then giving the CPU back:
 *       swapcontext to the scheduler. The scheduler switches to each
 *       unfinished task in turn (round robin) until all are finished, then
 *       prints "all done". Each task has its own stack (makecontext), and its
 *       local variables keep their values between switches. As it is, the
 *       scheduler calls each task in turn and a task runs to its end in one
 *       go: make it really switch.
 */
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
	for (int j = 0; j < k + i; j++) {
		printf("task %d step %d\n", i, j);
		/* TODO: give the CPU back to the scheduler here */
	}
	done[i] = 1;
}

int main(int argc, char **argv)
{
	ntask = argc > 1 ? atoi(argv[1]) : 3;
	k = argc > 2 ? atoi(argv[2]) : 2;
	if (ntask < 1 || ntask > MAXTASK)
		return 2;
	(void)sched;
	(void)ctx;
	for (int i = 0; i < ntask; i++)
		task(i);                         /* runs all its steps at once */
	printf("all done\n");
	return 0;
}
