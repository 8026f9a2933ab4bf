/* commands_bench.c — `systour bench`: the measurements behind the lessons,
 * made on this machine (app/bench/measure.c), as text with a short
 * explanation of each figure and a bar chart of the costs on a log scale,
 * or as JSON. A progress line on stderr (when it is a terminal) says what
 * is being measured. */
#include "measure.h"
#include "shell.h"
#include "util.h"
#include "lang.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static void
progress(int i, const struct measure *m, void *arg)
{
	struct app *app = arg;
	fprintf(stderr, "\r\033[K%s %d/%d: %s...", L(app->lang, "measuring",
	    "测量中"), i + 1, M_COUNT, app->lang == LANG_ZH ? m->name_zh :
	    m->name_en);
	fflush(stderr);
}

static void
print_json(const struct measure *m)
{
	printf("{");
	for (int i = 0; i < M_COUNT; i++) {
		printf("%s\"%s\": ", i ? ", " : "", m[i].key);
		if (m[i].value < 0)
			printf("null");
		else
			printf("%.3f", m[i].value);
	}
	printf(", \"missing\": {");
	int first = 1;
	for (int i = 0; i < M_COUNT; i++)
		if (m[i].value < 0) {
			printf("%s\"%s\": \"%s\"", first ? "" : ", ", m[i].key,
			    m[i].missing);
			first = 0;
		}
	printf("}}\n");
}

/* The cost in microseconds, or -1 for a figure that is not a cost. */
static double
cost_us(const struct measure *m)
{
	if (m->value < 0)
		return -1;
	if (strcmp(m->unit, "ns") == 0)
		return m->value / 1000;
	if (strcmp(m->unit, "us") == 0)
		return m->value;
	return -1;
}

/* Cells of a bar for us on a log scale: 6 per factor of 10, from
 * 0.01 us (no libm: the sixth roots of 10 as steps). */
static int
log_cells(double us)
{
	static const double step[] = { 1.0, 1.468, 2.154, 3.162, 4.642,
	    6.813 };
	double x = us * 100;
	int w = 0;
	if (x < 1)
		return 0;
	while (x >= 10) {
		x /= 10;
		w += 6;
	}
	for (int k = 1; k < 6; k++)
		if (x >= step[k])
			w++;
	return w;
}

static void
print_text(const struct measure *m, int zh)
{
	struct utsname u;
	uname(&u);
	printf(L(LANG_OF(zh), "systour bench: measured on this machine (%s %s, "
	    "%ld CPUs)\n\n", "systour bench：在这台机器上测得（%s %s，%ld 个 "
	    "CPU）\n\n"),
	    u.sysname, u.machine, sysconf(_SC_NPROCESSORS_ONLN));
	for (int i = 0; i < M_COUNT; i++) {
		const char *name = zh ? m[i].name_zh : m[i].name_en;
		if (m[i].value < 0)
			printf("  %s: %s %s\n", name, L(LANG_OF(zh),
			    "not measured:", "未测量："), m[i].missing);
		else if (m[i].value >= 100)
			printf("  %s: %.0f %s", name, m[i].value, m[i].unit);
		else
			printf("  %s: %.2f %s", name, m[i].value, m[i].unit);
		if (i == M_PYPROC && m[i].value > 0 && m[M_FORK].value > 0)
			printf(L(LANG_OF(zh), " (%.0fx fork + waitpid)",
			    "（fork + waitpid 的 %.0f 倍）"),
			    m[i].value / m[M_FORK].value);
		if (m[i].value >= 0)
			printf("\n");
		printf("      %s\n", zh ? m[i].why_zh : m[i].why_en);
	}
	printf(L(LANG_OF(zh), "\ncosts (microseconds, log scale: 10x every 6 "
	    "cells)\n", "\n代价（微秒，对数刻度：每 6 格 10 倍）\n"));
	for (int i = 0; i < M_COUNT; i++) {
		double us = cost_us(&m[i]);
		if (us <= 0)
			continue;
		int w = log_cells(us);
		if (w < 1)
			w = 1;
		if (w > 48)
			w = 48;
		char bar[49 * 3 + 1];
		bar[0] = '\0';
		for (int k = 0; k < w; k++)
			strcat(bar, "█");
		printf("  %-34s %s %.3g\n", m[i].name_en, bar, us);
	}
}

static enum cmd_retval
cmd_bench_exec(struct app *app, struct cmd_args *args)
{
	int json = cmd_has(args, "json", NULL);
	if (json && cmd_has(args, "plain", NULL)) {
		app_errorf(app, L(app->lang,
		    "bench: --json and --plain: choose one",
		    "bench：--json 和 --plain 只能选一个"));
		return CMD_USAGE;
	}
	struct measure m[M_COUNT];
	int tty = isatty(STDERR_FILENO);
	measure_all(m, "/proc/self/exe", tty ? progress : NULL, app);
	if (tty) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
	if (json)
		print_json(m);
	else
		print_text(m, app->lang == LANG_ZH);
	fflush(stdout);
	return CMD_OK;
}

static const char *const bench_options[] = { "plain", "json", NULL };

static const struct cmd_optdoc bench_optdoc[] = {
	{ "--plain", "text (the default when not on a terminal)",
	  "纯文本（不在终端上时的默认方式）" },
	{ "--json", "one JSON object: each figure, null when it could not\n"
	    "be measured, and why under \"missing\"",
	  "一个 JSON 对象：每个数值；无法测量的为 null，\n原因见 \"missing\"" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_bench_entry = {
	.name = "bench",
	.usage = "[--plain|--json]",
	.help_en = "measure the primitives of the lessons on this machine "
	    "(a system call, fork, a pipe, a thread switch, HTTP)",
	.help_zh = "在这台机器上测量各课的基本操作（系统调用、fork、管道、"
	    "线程切换、HTTP）",
	.minargs = 0, .maxargs = 0, .options = bench_options,
	.optdoc = bench_optdoc,
	.flags = CMD_ONESHOT | CMD_STANDALONE, .exec = cmd_bench_exec,
};
