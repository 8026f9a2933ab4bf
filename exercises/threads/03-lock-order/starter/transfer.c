/*
 * 任务：./prog N 有两个账户 a、b（各 1000），每个账户有自己的互斥锁。线程 1 做 N 次
 *       "从 a 转 1 到 b"，线程 2 做 N 次"从 b 转 2 到 a"；每次转账先锁转出账户、
 *       再锁转入账户。两个线程的加锁顺序相反，很快就会死锁。让所有线程按同一个
 *       全局顺序加锁（例如先锁 a 再锁 b），程序结束时打印 "a=<余额> b=<余额>"。
 *       保留 usleep：它代表两次加锁之间的真实工作。
 * Task: ./prog N has two accounts a and b (1000 each), each with its own
 *       mutex. Thread 1 makes N transfers of 1 from a to b, thread 2 makes N
 *       transfers of 2 from b to a; each transfer locks the source account,
 *       then the destination. The two threads take the locks in opposite
 *       orders and soon deadlock. Make every thread lock in one global order
 *       (e.g. a before b); at the end print "a=<balance> b=<balance>". Keep
 *       the usleep: it stands for real work between the two locks.
 */
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
	pthread_mutex_lock(&from->lock);
	usleep(100);                            /* work between the two locks */
	pthread_mutex_lock(&to->lock);
	from->balance -= amount;
	to->balance += amount;
	pthread_mutex_unlock(&to->lock);
	pthread_mutex_unlock(&from->lock);
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
