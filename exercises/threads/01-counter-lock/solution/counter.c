/* Solution: threads/01-counter-lock. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static long counter;
static pthread_barrier_t go;              /* every thread starts counting at once */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

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
	for (long i = 0; i < n; i++) {
		pthread_mutex_lock(&lock);
		counter = add_one(counter);        /* one thread at a time */
		pthread_mutex_unlock(&lock);
	}
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
