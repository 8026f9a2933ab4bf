/* demo_lib.c — the helpers shared by the supervisor and the lesson
 * modules (see demo_lib.h). Plain system calls only: a module links this
 * file, not the app's util.c. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "demo_lib.h"
/* only the L() macro: a lesson module is built with app/demo alone */
#include "../core/lang.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *
demo_how_lang(int status, int zh, char *buf, size_t len)
{
	enum lang l = zh ? LANG_ZH : LANG_EN;
	if (WIFEXITED(status))
		snprintf(buf, len, L(l, "exited with status %d",
		    "以状态 %d 退出"), WEXITSTATUS(status));
	else if (WIFSIGNALED(status)) {
		const char *abbrev = sigabbrev_np(WTERMSIG(status));
		snprintf(buf, len, L(l, "killed by SIG%s (signal %d)",
		    "被 SIG%s 杀死（信号 %d）"), abbrev ? abbrev : "?",
		    WTERMSIG(status));
	} else
		snprintf(buf, len, L(l, "ended (status %#x)",
		    "结束（状态 %#x）"), (unsigned)status);
	return buf;
}

const char *
demo_how(int status, char *buf, size_t len)
{
	return demo_how_lang(status, 0, buf, len);
}

int
demo_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	while (n > 0) {
		ssize_t k = write(fd, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0) {
			errno = EIO;
			return -1;
		}
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

long long
demo_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long long
demo_now_ms(void)
{
	return demo_now_ns() / 1000000;
}

char
demo_proc_state(pid_t pid, pid_t *ppid, pid_t *pgrp)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "PID (comm) S PPID PGRP ...": comm may hold anything, so skip to
	 * the last ')' */
	const char *p = strrchr(buf, ')');
	char state;
	int parent, group;
	if (p == NULL || sscanf(p + 1, " %c %d %d", &state, &parent, &group) != 3)
		return 0;
	if (ppid)
		*ppid = (pid_t)parent;
	if (pgrp)
		*pgrp = (pid_t)group;
	return state;
}
