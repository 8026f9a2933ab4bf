/* common.c — the helpers lesson 06's demos share (declared in threads.h):
 * a thread's state from /proc/self/task, a mutex's owner and count, a
 * watchdog's wait with a deadline. */
#define _GNU_SOURCE
#include "threads.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

pid_t
tid_self(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static ssize_t
read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

char
task_state(pid_t tid, char *wchan, size_t len)
{
	char path[64], buf[512];
	if (wchan != NULL && len > 0)
		snprintf(wchan, len, "-");
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
	if (read_small(path, buf, sizeof buf) <= 0)
		return 0;
	char *p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ')
		return 0;
	char state = p[2];
	if (wchan != NULL && len > 0) {
		char w[128];
		snprintf(path, sizeof path, "/proc/self/task/%d/wchan", (int)tid);
		if (read_small(path, w, sizeof w) > 0 && strcmp(w, "0") != 0)
			snprintf(wchan, len, "%s", w);
	}
	return state;
}

int
task_on_futex(pid_t tid)
{
	char w[64];
	return task_state(tid, w, sizeof w) == 'S' && strstr(w, "futex") != NULL;
}

long long
wait_on_futex(pid_t tid, long long ms)
{
	long long t0 = demo_now_ms();
	for (;;) {
		long long t = demo_now_ms() - t0;
		if (task_on_futex(tid))
			return t;
		if (t > ms)
			return -1;
		nap_ms(5);
	}
}

int
task_list(pid_t *out, int max)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < max)
		if (e->d_name[0] != '.')
			out[n++] = (pid_t)atoi(e->d_name);
	closedir(d);
	for (int i = 1; i < n; i++)     /* in order: the main thread first */
		for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
			pid_t t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

int
mutex_owner(const pthread_mutex_t *m)
{
	return m->__data.__owner;
}

unsigned
mutex_count(const pthread_mutex_t *m)
{
	return m->__data.__count;
}

void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}
