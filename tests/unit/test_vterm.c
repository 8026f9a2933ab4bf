/* test_vterm.c — unit tests for app/ui/vt.c, the terminal inside the
 * editor's pane: wide characters take two cells (the second one empty),
 * terminal queries are answered (to a detached emulator's answers, and
 * through the pty to a real program, which reads the reply), and a resize
 * reaches libvterm and the pty (the program sees its new size). Every
 * wait is a loop round with a deadline. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "loop.h"
#include "util.h"
#include "vt.h"

#define DEADLINE_MS 10000

static void
test_wide_chars(void **state)
{
	struct vt *v = vt_new_detached(4, 10);
	const char *s = "a中b文字";
	vt_feed(v, s, strlen(s));
	struct vt_cell c;
	assert_int_equal(vt_cell(v, 0, 0, &c), 0);
	assert_int_equal(c.ch, 'a');
	assert_int_equal(c.width, 1);
	assert_int_equal(vt_cell(v, 0, 1, &c), 0);
	assert_int_equal(c.ch, 0x4e2d);         /* 中 */
	assert_int_equal(c.width, 2);
	assert_int_equal(vt_cell(v, 0, 2, &c), 0);
	assert_int_equal(c.width, 0);           /* its second half */
	assert_int_equal(vt_cell(v, 0, 3, &c), 0);
	assert_int_equal(c.ch, 'b');
	int row, col, vis;
	vt_cursor(v, &row, &col, &vis);
	assert_int_equal(row, 0);
	assert_int_equal(col, 8);               /* a 中 b 文 字: 1+2+1+2+2 */
	char *t = vt_row_text(v, 0);
	assert_string_equal(t, "a中b文字");
	free(t);
	/* a wide character that does not fit at the end of a row wraps */
	vt_feed(v, "xy字", strlen("xy字"));
	t = vt_row_text(v, 1);
	assert_string_equal(t, "字");
	free(t);
	assert_int_equal(vt_cell(v, 0, 12, &c), -1);      /* outside */
	vt_free(v);
}

static void
test_query_answered_detached(void **state)
{
	struct vt *v = vt_new_detached(5, 20);
	vt_feed(v, "ab\r\nc", 5);
	vt_feed(v, "\033[6n", 4);               /* where is the cursor? */
	char *a = vt_answers(v);
	assert_string_equal(a, "\033[2;2R");
	free(a);
	vt_feed(v, "\033[c", 3);                /* what are you? */
	a = vt_answers(v);
	assert_true(strncmp(a, "\033[?", 3) == 0 && a[strlen(a) - 1] == 'c');
	free(a);
	vt_free(v);
}

static void
test_resize_detached(void **state)
{
	struct vt *v = vt_new_detached(5, 20);
	vt_resize(v, 12, 50);
	int rows, cols;
	vt_size(v, &rows, &cols);
	assert_int_equal(rows, 12);
	assert_int_equal(cols, 50);
	vt_feed(v, "\033[12;50H", 8);
	vt_feed(v, "Z", 1);
	struct vt_cell c;
	assert_int_equal(vt_cell(v, 11, 49, &c), 0);
	assert_int_equal(c.ch, 'Z');
	vt_free(v);
}

struct ended {
	int done, status;
};

static void
on_exit_cb(void *arg, int status)
{
	struct ended *e = arg;
	e->done = 1;
	e->status = status;
}

/* Some row of v holds text. */
static int
screen_has(struct vt *v, const char *text)
{
	int rows, cols;
	vt_size(v, &rows, &cols);
	for (int r = 0; r < rows; r++) {
		char *t = vt_row_text(v, r);
		int has = strstr(t, text) != NULL;
		free(t);
		if (has)
			return 1;
	}
	return 0;
}

static int
wait_screen(struct loop *l, struct vt *v, const char *text)
{
	long long end = now_ms() + DEADLINE_MS;
	while (!screen_has(v, text) && now_ms() < end)
		loop_once(l, 50);
	return screen_has(v, text);
}

static void
test_pty_query_and_resize(void **state)
{
	if (access("/bin/bash", X_OK) != 0)
		skip();
	char *cause = NULL;
	struct loop *l = loop_new(&cause);
	struct ended e = { 0 };
	struct vt_sink sink = { &e, NULL, on_exit_cb };
	/* the program asks where the cursor is and prints the reply it read;
	 * then it waits for a key, and prints the size it has then */
	char *argv[] = { "bash", "-c",
	    "stty -icanon -echo; printf 'hello\\033[6n'; "
	    "IFS= read -r -d R ans; printf '\\nreply:%s\\n' \"${ans#?}\"; "
	    "read -r -n 1 k; echo size:$(stty size); exit 3", NULL };
	struct vt *v = vt_spawn(l, 6, 30, argv, "/", &sink, &cause);
	assert_non_null(v);
	assert_true(wait_screen(l, v, "reply:[1;6"));
	vt_resize(v, 9, 40);
	vt_keys(v, "x", 1);
	assert_true(wait_screen(l, v, "size:9 40"));
	long long end = now_ms() + DEADLINE_MS;
	while (!e.done && now_ms() < end)
		loop_once(l, 50);
	assert_true(e.done);
	assert_true(WIFEXITED(e.status) && WEXITSTATUS(e.status) == 3);
	vt_free(v);
	loop_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wide_chars),
		cmocka_unit_test(test_query_answered_detached),
		cmocka_unit_test(test_resize_detached),
		cmocka_unit_test_setup_teardown(test_pty_query_and_resize,
		    setup_alarm, teardown_alarm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
