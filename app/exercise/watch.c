/* watch.c — inotify on an exercise's folder, debounced, on the loop. See
 * watch.h. */
#include "watch.h"
#include "loop.h"
#include "util.h"
#include "lang.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

struct ex_watch {
	struct loop *loop;
	int fd;
	char **files;
	int nfiles;
	ex_watch_fn *fn;
	void *arg;
	int paused;
	long long first;                /* first event of the burst, or 0 */
	struct loop_watch *w_fd, *t_debounce;
};

static int
ours(const struct ex_watch *w, const char *name)
{
	for (int i = 0; i < w->nfiles; i++)
		if (strcmp(w->files[i], name) == 0)
			return 1;
	return 0;
}

static void
on_debounce(struct loop *l, void *arg)
{
	struct ex_watch *w = arg;
	long long first = w->first;
	w->first = 0;
	if (!w->paused && first)
		w->fn(w->arg, first);
}

static void
on_events(struct loop *l, int fd, unsigned events, void *arg)
{
	struct ex_watch *w = arg;
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			p += sizeof *ev + ev->len;
			if (w->paused || ev->len == 0 || !ours(w, ev->name))
				continue;
			if (w->first == 0)
				w->first = now_ms();
			/* a burst: the call comes this long after its last */
			loop_timer_set(w->t_debounce, EX_WATCH_DEBOUNCE_MS);
		}
	}
}

struct ex_watch *
ex_watch_new(struct loop *l, const char *dir, const char *const *files,
    int nfiles, ex_watch_fn *fn, void *arg, char **cause)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0) {
		*cause = xasprintf("inotify: %s", strerror(errno));
		return NULL;
	}
	if (inotify_add_watch(fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		*cause = xasprintf(LD("inotify on %s: %s",
		    "监视 %s（inotify）：%s"), dir, strerror(errno));
		close(fd);
		return NULL;
	}
	struct ex_watch *w = xcalloc(1, sizeof *w);
	w->loop = l;
	w->fd = fd;
	w->files = xcalloc((size_t)nfiles + 1, sizeof *w->files);
	for (int i = 0; i < nfiles; i++)
		w->files[i] = xstrdup(files[i]);
	w->nfiles = nfiles;
	w->fn = fn;
	w->arg = arg;
	w->w_fd = loop_fd(l, fd, LOOP_READ, on_events, w);
	w->t_debounce = loop_timer(l, -1, on_debounce, w);
	return w;
}

void
ex_watch_pause(struct ex_watch *w)
{
	if (w == NULL)
		return;
	w->paused = 1;
	w->first = 0;
	loop_timer_set(w->t_debounce, -1);
}

void
ex_watch_resume(struct ex_watch *w)
{
	if (w == NULL)
		return;
	/* what came while paused was dropped as it came */
	w->paused = 0;
	w->first = 0;
}

void
ex_watch_free(struct ex_watch *w)
{
	if (w == NULL)
		return;
	loop_cancel(w->w_fd);
	loop_cancel(w->t_debounce);
	close(w->fd);
	for (int i = 0; i < w->nfiles; i++)
		free(w->files[i]);
	free(w->files);
	free(w);
}
