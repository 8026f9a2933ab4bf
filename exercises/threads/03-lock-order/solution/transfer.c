/* Solution: threads/03-lock-order. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct account {
	pthread_mutex_t lock;
	long balance;
};

static struct account a = { PTHREAD_MUTEX_INITIALIZER, 1000 };
static struct account b = { PTHREAD_MUTEX_INITIALIZER, 1000 };
static long n;

static void transfer(struct account *from, struct account *to, long amount)
{
	/* one global order: a before b, whichever way the money goes */
	struct account *first = from == &a ? from : to;
	struct account *second = first == from ? to : from;
	pthread_mutex_lock(&first->lock);
	usleep(100);                            /* work between the two locks */
	pthread_mutex_lock(&second->lock);
	from->balance -= amount;
	to->balance += amount;
	pthread_mutex_unlock(&second->lock);
	pthread_mutex_unlock(&first->lock);
}

static void *a_to_b(void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++)
		transfer(&a, &b, 1);
	return NULL;
}

static void *b_to_a(void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++)
		transfer(&b, &a, 2);
	return NULL;
}

int main(int argc, char **argv)
{
	n = argc > 1 ? atol(argv[1]) : 100;
	pthread_t t1, t2;
	pthread_create(&t1, NULL, a_to_b, NULL);
	pthread_create(&t2, NULL, b_to_a, NULL);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	printf("a=%ld b=%ld\n", a.balance, b.balance);
	return 0;
}
