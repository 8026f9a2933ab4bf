/*
 * 任务：./prog T N 启动 T 个线程，每个线程把共享的 counter 加 1，共 N 次；
 *       全部 join 之后打印 counter，它必须恰好等于 T*N。现在 counter = add_one(counter)
 *       是"读、加、写"三步，两个线程交错时会丢失更新。用一个 pthread_mutex_t
 *       保护它（每次加 1 前加锁、之后解锁）。
 * Task: ./prog T N starts T threads; each adds 1 to the shared counter N
 *       times; after joining them all, print counter, which must be exactly
 *       T*N. As it is, counter = add_one(counter) is three steps (load, add, store)
 *       and two threads interleaving lose updates. Protect it with one
 *       pthread_mutex_t (lock before each increment, unlock after).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static long counter;
static pthread_barrier_t go;              /* every thread starts counting at once */

/* v + 1, slowly: it stands for real work between the load and the store */
static long add_one(long v)
{
	for (volatile int spin = 0; spin < 100; spin++)
		;
	return v + 1;
}

static void *work(void *arg)
{
	long n = (long)arg;
	pthread_barrier_wait(&go);
	for (long i = 0; i < n; i++)
		counter = add_one(counter);        /* load, add, store: not atomic */
	return NULL;
}

int main(int argc, char **argv)
{
	int t = argc > 1 ? atoi(argv[1]) : 4;
	long n = argc > 2 ? atol(argv[2]) : 100000;
	pthread_t th[64];
	if (t < 1 || t > 64)
		return 2;
	pthread_barrier_init(&go, NULL, (unsigned)t);
	for (int i = 0; i < t; i++)
		pthread_create(&th[i], NULL, work, (void *)n);
	for (int i = 0; i < t; i++)
		pthread_join(th[i], NULL);
	printf("%ld\n", counter);
	return 0;
}
