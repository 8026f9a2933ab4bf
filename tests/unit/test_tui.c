/* test_tui.c — the TUI run whole on a pseudo-terminal: it starts, runs a
 * first command, and leaves nothing of itself behind in the app (its
 * state lives in tui_run's frame, which is gone once it returns). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app.h"
#include "tui.h"

/* Run the TUI in a child on a pty with first_command; the child exits 0
 * when tui_run returned EXIT_OK and app->ui_data is NULL after it. */
static int
run_tui(const char *first_command)
{
	int master;
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	pid_t pid = forkpty(&master, NULL, NULL, &ws);
	assert_true(pid >= 0);
	if (pid == 0) {
		struct app app;
		memset(&app, 0, sizeof app);
		setenv("TERM", "xterm", 1);
		setlocale(LC_ALL, "C.UTF-8");
		int rc = tui_run(&app, NULL, first_command);
		_exit(rc == 0 && app.ui_data == NULL ? 0 : 3);
	}
	/* read what it draws (a full pty would stop it) until it is gone */
	int status = -1;
	for (int i = 0; i < 1000; i++) {
		struct pollfd p = { master, POLLIN, 0 };
		char buf[4096];
		if (poll(&p, 1, 10) > 0 && read(master, buf, sizeof buf) <= 0 &&
		    waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	if (status == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	close(master);
	return status;
}

static void
test_ui_data_cleared(void **state)
{
	int status = run_tui("quit");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ui_data_cleared),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
