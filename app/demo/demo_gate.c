/* demo_gate.c — each actor's step gate and the queue of actors waiting at
 * theirs (see demo_gate.h). */
#include "demo_gate.h"
#include "buf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct gate {
	pid_t tid;
	unsigned seq;
	int pane;
	int fd;                 /* -1 once removed */
	unsigned long ino;
};

struct demo_gates {
	struct gate *v;         /* every actor so far, removed ones too */
	size_t n, cap;
	size_t *queue;          /* indexes into v, in the order they came */
	size_t nqueue, qcap;
	int credit;
};

struct demo_gates *
gates_new(void)
{
	return xcalloc(1, sizeof(struct demo_gates));
}

void
gates_free(struct demo_gates *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].fd >= 0)
			close(g->v[i].fd);
	free(g->v);
	free(g->queue);
	free(g);
}

static struct gate *
find(const struct demo_gates *g, pid_t tid, unsigned seq, size_t *at)
{
	for (size_t i = g->n; i-- > 0;)
		if (g->v[i].fd >= 0 && g->v[i].tid == tid && g->v[i].seq == seq) {
			if (at)
				*at = i;
			return &g->v[i];
		}
	return NULL;
}

/* Drop actor i from the queue (it is gone). */
static void
unqueue(struct demo_gates *g, size_t i)
{
	size_t k = 0;
	for (size_t j = 0; j < g->nqueue; j++)
		if (g->queue[j] != i)
			g->queue[k++] = g->queue[j];
	g->nqueue = k;
}

void
gates_remove(struct demo_gates *g, pid_t tid, unsigned seq)
{
	size_t i;
	struct gate *a = find(g, tid, seq, &i);
	if (a == NULL)
		return;
	unqueue(g, i);
	close(a->fd);
	a->fd = -1;
}

void
gates_add(struct demo_gates *g, pid_t tid, unsigned seq, int pane, int fd,
    unsigned long ino)
{
	gates_remove(g, tid, seq);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	ARRAY_GROW(g->v, g->cap, g->n + 1);
	g->v[g->n++] = (struct gate){ tid, seq, pane, fd, ino };
}

/* Open actor i's gate; 0, or -1 if the actor is gone (its process died
 * at the gate: its end is closed), and then its gate is closed too. */
static int
open_gate(struct demo_gates *g, size_t i)
{
	if (g->v[i].fd < 0)
		return -1;
	if (send(g->v[i].fd, "s", 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1 ||
	    errno == EAGAIN)
		return 0;
	close(g->v[i].fd);
	g->v[i].fd = -1;
	return -1;
}

int
gates_release_first(struct demo_gates *g)
{
	/* an actor that died waiting does not take the step */
	while (g->nqueue > 0) {
		size_t i = g->queue[0];
		memmove(g->queue, g->queue + 1, --g->nqueue * sizeof *g->queue);
		if (open_gate(g, i) == 0)
			return g->v[i].pane;
	}
	return -1;
}

int
gates_arrive(struct demo_gates *g, pid_t tid, unsigned seq)
{
	size_t i;
	if (find(g, tid, seq, &i) == NULL)
		return -1;
	ARRAY_GROW(g->queue, g->qcap, g->nqueue + 1);
	g->queue[g->nqueue++] = i;
	if (g->credit > 0) {
		g->credit--;
		gates_release_first(g);
	}
	return 0;
}

int
gates_waiting(const struct demo_gates *g)
{
	return (int)g->nqueue;
}

int
gates_step(struct demo_gates *g)
{
	int pane = g->nqueue > 0 ? gates_release_first(g) : -1;
	if (pane < 0)
		g->credit++;
	return pane;
}

int
gates_inodes(const struct demo_gates *g, unsigned long *ino, int max)
{
	int n = 0;
	for (size_t i = 0; i < g->n && n < max; i++)
		if (g->v[i].fd >= 0 && g->v[i].ino)
			ino[n++] = g->v[i].ino;
	return n;
}
