/* test_pane.c — the demo's panes without a terminal: the chart's bars
 * (scaled to the widest, values and units, labels), the layout computed
 * from a list of panes, and an actor pane's lines wrapped to its width. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "pane.h"
#include "util.h"

/* Characters of s (UTF-8) that are c, a UTF-8 sequence. */
static int
count(const char *s, const char *c)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, c)); p += strlen(c))
		n++;
	return n;
}

static void
test_chart_scaled_to_widest(void **state)
{
	struct pane *p = pane_chart_new("figures");
	assert_int_equal(chart_set(p, "threads", 200, "ms"), 0);
	assert_int_equal(chart_set(p, "processes", 100, "ms"), 0);
	assert_int_equal(chart_set(p, "one", 50.5, "ms"), 0);
	assert_int_equal(chart_count(p), 3);
	/* setting a label again changes its bar, adds none */
	assert_int_equal(chart_set(p, "processes", 105, "ms"), 0);
	assert_int_equal(chart_count(p), 3);

	int w = 40;
	char *r0 = chart_row(p, 0, w), *r1 = chart_row(p, 1, w),
	    *r2 = chart_row(p, 2, w);
	/* labels padded to the widest ("processes", 9), then two spaces */
	assert_memory_equal(r0, "threads    ", 11);
	assert_memory_equal(r1, "processes  ", 11);
	/* values right-aligned with their unit, at the end */
	assert_non_null(strstr(r0, "  200 ms"));
	assert_non_null(strstr(r2, " 50.5 ms"));
	assert_int_equal(text_width(r0), w);
	assert_int_equal(text_width(r1), w);
	assert_int_equal(text_width(r2), w);
	/* the widest fills the bar: 40 - 9 - 7 ("50.5 ms") - 4 = 20 cells;
	 * the others in proportion, to an eighth of a cell: 105/200 of 20
	 * is 10 cells and a half, 50.5/200 is 5 cells */
	assert_int_equal(count(r0, "█"), 20);
	assert_true(count(r1, "█") == 10 && strstr(r1, "▌") != NULL);
	assert_int_equal(count(r2, "█"), 5);
	free(r0);
	free(r1);
	free(r2);

	/* counts print without decimals, and no unit leaves no space */
	chart_set(p, "n", 3, "");
	char *r3 = chart_row(p, 3, w);
	assert_non_null(strstr(r3, " 3"));
	assert_null(strstr(r3, "3 "));
	free(r3);
	char *none = chart_row(p, 9, w);
	assert_string_equal(none, "");
	free(none);
	pane_free(p);
}

static void
test_chart_full_and_long_labels(void **state)
{
	struct pane *p = pane_chart_new("figures");
	char label[32];
	for (int i = 0; i < CHART_MAX; i++) {
		snprintf(label, sizeof label, "bar %d", i);
		assert_int_equal(chart_set(p, label, i, "x"), 0);
	}
	assert_int_equal(chart_set(p, "one too many", 1, "x"), -1);
	assert_int_equal(chart_count(p), CHART_MAX);
	/* a zero value has no bar; the rows keep their width */
	char *r = chart_row(p, 0, 30);
	assert_int_equal(count(r, "█"), 0);
	assert_int_equal(text_width(r), 30);
	free(r);
	pane_free(p);

	/* a label too long for the width is cut, the bars keep 8 columns */
	p = pane_chart_new("figures");
	chart_set(p, "a_very_long_label_for_a_narrow_chart", 7, "tasks/s");
	r = chart_row(p, 0, 30);
	assert_int_equal(text_width(r), 30);
	assert_int_equal(count(r, "█"), 8);
	assert_non_null(strstr(r, "7 tasks/s"));
	free(r);
	pane_free(p);
}

/* Boxes never overlap and stay inside the area. */
static void
assert_boxes_fit(const struct pane_box *b, int n, int y, int x, int h, int w)
{
	for (int i = 0; i < n; i++) {
		if (b[i].h == 0)
			continue;
		assert_true(b[i].y >= y && b[i].y + b[i].h <= y + h);
		assert_true(b[i].x >= x && b[i].x + b[i].w <= x + w);
		for (int j = 0; j < i; j++) {
			if (b[j].h == 0)
				continue;
			int over_y = b[i].y < b[j].y + b[j].h && b[j].y < b[i].y + b[i].h;
			int over_x = b[i].x < b[j].x + b[j].w && b[j].x < b[i].x + b[i].w;
			assert_false(over_y && over_x);
		}
	}
}

static void
test_layout_from_the_list(void **state)
{
	const char *code = "a\nb\nc\nd\n";     /* 5 lines, the last empty */
	struct pane *v[8];
	struct pane_box b[8];
	int n = 0;
	/* in any order: where each goes comes from the pane */
	v[n++] = pane_kernel_new("kernel");
	v[n++] = pane_text_new("leader");
	v[n++] = pane_code_new("code", code);
	for (int i = 0; i < 3; i++)
		v[n++] = pane_text_new("worker");
	pane_layout(v, n, 1, 0, 21, 80, b);
	assert_boxes_fit(b, n, 1, 0, 21, 80);
	/* the side column: 40 columns (2/5 of 80 is 32, at least 40) */
	assert_int_equal(b[0].w, 40);
	assert_int_equal(b[2].w, 40);
	/* the kernel was listed first, so it is on top; it wants no number
	 * of rows, so it takes all but what the code below needs at least */
	assert_int_equal(b[0].y, 1);
	assert_int_equal(b[2].y, b[0].y + b[0].h);
	assert_true(b[2].h >= 2);
	/* four actors: two columns of two, right of the divider */
	for (int i = 1; i < n; i++)
		if (i != 2) {
			assert_true(b[i].x >= 41);
			assert_int_equal(b[i].w, 19);
			assert_true(b[i].h >= 10);
		}
	for (int i = 0; i < n; i++)
		pane_free(v[i]);

	/* the usual order: code (its lines and a title, at most half),
	 * the chart (its bars), the kernel below taking what is left */
	n = 0;
	v[n++] = pane_text_new("a");
	v[n++] = pane_code_new("code", code);
	struct pane *chart = pane_chart_new("chart");
	chart_set(chart, "x", 1, "");
	chart_set(chart, "y", 2, "");
	v[n++] = chart;
	v[n++] = pane_kernel_new("kernel");
	pane_layout(v, n, 1, 0, 33, 120, b);
	assert_boxes_fit(b, n, 1, 0, 33, 120);
	assert_int_equal(b[1].y, 1);
	assert_int_equal(b[1].h, 6);            /* 5 lines + its title */
	assert_int_equal(b[2].y, 7);
	assert_int_equal(b[2].h, 3);            /* 2 bars + its title */
	assert_int_equal(b[3].y, 10);
	assert_int_equal(b[3].h, 24);           /* the rest */
	assert_int_equal(b[1].w, 48);           /* 2/5 of 120 */
	/* one actor: the whole right side, past the divider */
	assert_int_equal(b[0].x, 49);
	assert_int_equal(b[0].w, 71);
	assert_int_equal(b[0].h, 33);

	/* no side panes: the grid takes the whole width */
	pane_layout(v, 1, 1, 0, 33, 120, b);
	assert_int_equal(b[0].x, 0);
	assert_int_equal(b[0].w, 120);
	for (int i = 0; i < n; i++)
		pane_free(v[i]);
}

static void
test_text_pane_wraps(void **state)
{
	struct pane *p = pane_text_new("worker 1");
	struct page pg = { 0 };
	const char *line = "read(2) on the task pipe, fd 3";
	pane_text_add(p, "first", 5);
	pane_text_add(p, line, strlen(line));
	assert_int_equal(pane_text_count(p), 2);
	assert_string_equal(pane_text_line(p, 1), line);

	/* 18 columns: the long line takes two rows, nothing is lost */
	pane_text_rows(p, 18, 10, &pg);
	assert_int_equal(pg.n, 3);
	char *a = line_utf8(&pg.v[1]), *b = line_utf8(&pg.v[2]);
	assert_true(pg.v[1].cols <= 18 && pg.v[2].cols <= 18);
	char joined[64];
	snprintf(joined, sizeof joined, "%s %s", a, b);
	assert_string_equal(joined, line);
	free(a);
	free(b);

	/* at most max rows: the newest show, the top of older ones goes */
	pane_text_rows(p, 18, 2, &pg);
	assert_int_equal(pg.n, 2);
	a = line_utf8(&pg.v[1]);
	assert_string_equal(a, "task pipe, fd 3");
	free(a);

	/* colours are styles, not text */
	pane_text_add(p, "\033[31mred\033[0m", 12);
	pane_text_rows(p, 18, 1, &pg);
	a = line_utf8(&pg.v[0]);
	assert_string_equal(a, "red");
	assert_int_equal(pg.v[0].c[0].style, S_FG1);
	free(a);
	page_free(&pg);
	pane_free(p);
}

int
main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chart_scaled_to_widest),
		cmocka_unit_test(test_chart_full_and_long_labels),
		cmocka_unit_test(test_layout_from_the_list),
		cmocka_unit_test(test_text_pane_wraps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
