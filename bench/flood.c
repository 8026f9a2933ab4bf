/* flood.c — the demo engine under a flood: a demo whose actor prints
 * 1,000,000 numbered lines into its pane as fast as it can, driven by the
 * real engine (demo_view_start, demo_view_draw, the event loop) in the
 * TUI's loop, while a "keyboard" is typed on every 20 ms.
 *
 * Curses runs on a terminal that goes nowhere: newterm() with output to
 * /dev/null and input from the read end of a pipe, the keyboard pipe. A
 * thread writes the time (CLOCK_MONOTONIC, in ns) to that pipe every 20 ms,
 * 8 bytes in one write(). The loop is tui_run's: draw (erase, the view,
 * refresh) at most once per TUI_FRAME_MS, and between frames rounds of the
 * event loop, on which the view's pipes and timers and the keyboard are
 * watched. Each key's latency is from its
 * write() until the loop's callback read() it.
 *
 * Lines consumed: the view has no accessor for its panes' counts, so the
 * count is read off the screen, as a learner would: when the demo has
 * finished, the actor's pane must show the newest lines, consecutive and
 * ending at "flood-line 1000000". Lines per second: 1,000,000 over the time
 * from demo_view_start() until the view reports the demo finished. Three
 * floods in a row: the median rate, and the latencies of all their keys.
 *
 * Prints one line; a missed target is marked MISSED, and the exit status
 * is 0 all the same (the bench reports; the tests assert). */
#include "bench.h"
#include "demo_view.h"
#include "loop.h"
#include "tui_int.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FLOOD_LINES 1000000L
#define TARGET_RATE 500000.0    /* lines per second */
#define TARGET_KEY_MS 50.0
#define KEY_EVERY_MS 20
#define DEADLINE_S 40           /* give up: the engine is stuck */
#define SCREEN_LINES "40"
#define SCREEN_COLS "160"
#define MAX_KEYS 4096
#define RUNS 3                  /* floods; the median rate is reported */

/* ---- The demo --------------------------------------------------------- */

static int
flood_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *self)
{
	(void)ctx;
	(void)api;
	(void)self;
	for (long i = 1; i <= FLOOD_LINES; i++)
		printf("flood-line %ld\n", i);
	return 0;
}

static const char *const flood_panes[] = { "printer", NULL };

static const struct systour_demo flood_demo = {
	.name = "bench-flood",
	.title_en = "a million lines as fast as they come",
	.title_zh = "尽快打印一百万行",
	.code = "for i in range(1, 1000001):\n"
	    "    print('flood-line', i)\n",
	.panes = flood_panes,
	.run = flood_run,
};

/* ---- The keyboard ----------------------------------------------------- */

static int kb[2] = { -1, -1 };
static volatile int kb_stop;

static int64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *
typist(void *arg)
{
	(void)arg;
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!__atomic_load_n(&kb_stop, __ATOMIC_RELAXED)) {
		next.tv_nsec += KEY_EVERY_MS * 1000000L;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
		    NULL) == EINTR)
			;
		int64_t t = now_ns();
		if (write(kb[1], &t, sizeof t) != (ssize_t)sizeof t)
			break;
	}
	return NULL;
}

/* ---- Reading the screen ----------------------------------------------- */

/* The "flood-line N" numbers on the screen, top to bottom, into v. */
static int
screen_numbers(long *v, int max)
{
	char row[1024];
	int n = 0;
	for (int y = 0; y < LINES && n < max; y++) {
		if (mvinnstr(y, 0, row, COLS < (int)sizeof row - 1 ? COLS :
		    (int)sizeof row - 1) == ERR)
			continue;
		for (char *p = row; (p = strstr(p, "flood-line ")) && n < max;) {
			p += strlen("flood-line ");
			char *end;
			long k = strtol(p, &end, 10);
			if (end > p)
				v[n++] = k;
			p = end;
		}
	}
	return n;
}

/* ---- Figures ---------------------------------------------------------- */

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

/* One flood: the demo from start to finish in the TUI's loop. Key
 * latencies (ns) are added to lat. 0, or -1 with why. */
struct flood {
	int finished;
	double secs;            /* demo_view_start until finished */
	long last;              /* the newest "flood-line N" on screen */
	int consecutive;        /* the pane's visible lines follow each other */
	long frames;
};

/* The keyboard's bytes: 8-byte send times, each turned into a latency. */
struct keyboard {
	char buf[4096];
	size_t len;
	long long *lat;
	int *nlat;
};

static void
on_keys(struct loop *l, int fd, unsigned events, void *arg)
{
	struct keyboard *k = arg;
	ssize_t n = read(fd, k->buf + k->len, sizeof k->buf - k->len);
	int64_t t = now_ns();
	if (n > 0)
		k->len += (size_t)n;
	size_t off = 0;
	for (; k->len - off >= sizeof(int64_t); off += sizeof(int64_t)) {
		int64_t sent;
		memcpy(&sent, k->buf + off, sizeof sent);
		if (*k->nlat < MAX_KEYS)
			k->lat[(*k->nlat)++] = t - sent;
	}
	memmove(k->buf, k->buf + off, k->len - off);
	k->len -= off;
}

static int
flood_once(struct flood *f, long long *lat, int *nlat, char *why, size_t wlen)
{
	char *cause = NULL;
	memset(f, 0, sizeof *f);
	kb_stop = 0;
	struct loop *loop = loop_new(&cause);
	if (loop == NULL) {
		snprintf(why, wlen, "%s", cause);
		free(cause);
		return -1;
	}
	int64_t t0 = now_ns();
	struct demo_view *v = demo_view_start(loop, &flood_demo, LANG_EN, 0, -1,
	    NULL, &cause);
	if (v == NULL) {
		snprintf(why, wlen, "the demo did not start: %s", cause ? cause : "?");
		free(cause);
		return -1;
	}
	pthread_t th;
	if (pthread_create(&th, NULL, typist, NULL) != 0) {
		demo_view_free(v);
		loop_free(loop);
		snprintf(why, wlen, "cannot start the keyboard thread");
		return -1;
	}

	/* tui_run's loop */
	char status[512], kbuf[4096];
	struct keyboard keys = { .lat = lat, .nlat = nlat };
	struct loop_watch *w_keys = loop_fd(loop, kb[0], LOOP_READ, on_keys, &keys);
	int64_t t_end = 0;
	int64_t drawn = 0;
	for (;;) {
		/* as tui_run: a frame at most every TUI_FRAME_MS */
		int64_t since = (now_ns() - drawn) / 1000000;
		if (!f->finished && !demo_view_finished(v) &&
		    since < TUI_FRAME_MS) {
			loop_once(loop, (int)(TUI_FRAME_MS - since));
			continue;
		}
		erase();
		demo_view_draw(v, 1, LINES - 3, status, sizeof status);
		mvaddnstr(LINES - 2, 1, status, COLS - 2);
		refresh();
		drawn = now_ns();
		f->frames++;
		if (f->finished)
			break;          /* the last frame, as the learner sees it */

		if (demo_view_finished(v)) {    /* finished and recorded */
			t_end = now_ns();
			f->finished = 1;
			continue;
		}
		loop_once(loop, -1);
		if (now_ns() - t0 > (int64_t)DEADLINE_S * 1000000000)
			break;
	}
	__atomic_store_n(&kb_stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	/* keys typed after the end are not part of the flood */
	fcntl(kb[0], F_SETFL, O_NONBLOCK);
	while (read(kb[0], kbuf, sizeof kbuf) > 0)
		;
	fcntl(kb[0], F_SETFL, 0);

	/* what the pane shows at the end */
	long nums[256];
	int nn = screen_numbers(nums, 256);
	f->last = nn > 0 ? nums[nn - 1] : 0;
	f->consecutive = nn > 1;
	for (int i = 1; i < nn; i++)
		f->consecutive &= nums[i] == nums[i - 1] + 1;
	if (getenv("SYSTOUR_BENCH_SHOW")) {     /* the last frame, to stderr */
		char row[1024];
		for (int y = 0; y < LINES; y++)
			if (mvinnstr(y, 0, row, COLS < 1023 ? COLS : 1023) != ERR)
				fprintf(stderr, "|%s\n", row);
	}
	f->secs = (double)(t_end - t0) / 1e9;
	demo_view_free(v);
	loop_cancel(w_keys);
	loop_free(loop);
	return 0;
}

int
main(void)
{
	const char *label = "engine flood";
	static long long lat[MAX_KEYS];
	int nlat = 0;
	char why[600];

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* a terminal of a usual size that goes nowhere */
	setenv("LINES", SCREEN_LINES, 1);
	setenv("COLUMNS", SCREEN_COLS, 1);
	if (pipe2(kb, O_CLOEXEC) != 0) {
		printf("%s: failed: pipe: %s\n", label, strerror(errno));
		return 0;
	}
	FILE *out = fopen("/dev/null", "w");
	FILE *in = fdopen(kb[0], "r");
	SCREEN *scr = out && in ? newterm("xterm-256color", out, in) : NULL;
	if (scr == NULL) {
		printf("%s: skipped: cannot set up curses on /dev/null "
		    "(xterm-256color)\n", label);
		return 0;
	}
	set_term(scr);
	/* as term_init() sets the terminal up */
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, FALSE);
	typeahead(-1);
	intrflush(stdscr, FALSE);
	curs_set(0);

	struct flood f[RUNS];
	double rates[RUNS];
	int ok = 1;
	for (int r = 0; r < RUNS && ok; r++) {
		if (flood_once(&f[r], lat, &nlat, why, sizeof why) != 0) {
			endwin();
			printf("%s: failed: %s\n", label, why);
			return 0;
		}
		rates[r] = f[r].finished ? (double)f[r].last / f[r].secs : 0;
		ok = f[r].finished;
	}
	endwin();
	delscreen(scr);
	fclose(out);

	for (int r = 0; r < RUNS; r++)
		if (!f[r].finished) {
			printf("%s: the demo had not finished after %d s (%ld lines "
			    "shown so far) (target %.0f lines/s) MISSED\n",
			    label, DEADLINE_S, f[r].last, TARGET_RATE);
			return 0;
		}
	int whole = 1;
	for (int r = 0; r < RUNS; r++)
		whole &= f[r].last == FLOOD_LINES && f[r].consecutive;
	double sorted[RUNS];
	memcpy(sorted, rates, sizeof sorted);
	qsort(sorted, RUNS, sizeof sorted[0], bench_cmp_double);
	double rate = sorted[RUNS / 2];
	double max_ms = 0, p95_ms = 0;
	if (nlat > 0) {
		qsort(lat, (size_t)nlat, sizeof lat[0], cmp_ll);
		max_ms = (double)lat[nlat - 1] / 1e6;
		int i95 = (nlat * 95 + 99) / 100 - 1;   /* nearest rank */
		p95_ms = (double)lat[i95 < 0 ? 0 : i95] / 1e6;
	}
	int rate_ok = whole && rate >= TARGET_RATE;
	int key_ok = nlat > 0 && max_ms <= TARGET_KEY_MS && p95_ms <= TARGET_KEY_MS;
	printf("engine flood: %ld lines at %.0f lines/s (target %.0f)%s, "
	    "keypress answered in max %.1f ms, p95 %.1f ms (target %.0f)%s "
	    "[median of %d floods of %.2f/%.2f/%.2f s; %d keys; %ld frames%s]\n",
	    FLOOD_LINES, rate, TARGET_RATE, rate_ok ? "" : " MISSED", max_ms,
	    p95_ms, TARGET_KEY_MS, key_ok ? "" : " MISSED", RUNS, f[0].secs,
	    f[1].secs, f[2].secs, nlat, f[0].frames + f[1].frames + f[2].frames,
	    whole ? "" : "; the pane did not end with lines ..999999, 1000000: "
	    "lines were lost");
	return 0;
}
