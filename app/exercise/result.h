/* result.h — the result of one check, in the one shape every front end
 * reads (the TUI's pane, the plain shell, --json, class mode): a status, a
 * message, and the sub-checks with a name, a status and their output
 * (capped). Also: reading a check's TAP into it. */
#ifndef SYSTOUR_RESULT_H
#define SYSTOUR_RESULT_H

#include <stddef.h>

enum ex_status { EX_PASS, EX_FAIL, EX_ERROR, EX_SKIP };

#define EX_SUB_OUTPUT_MAX 4096  /* bytes of output kept per sub-check */

struct ex_sub {
	char *name;
	enum ex_status status;  /* EX_PASS or EX_FAIL */
	char *output;           /* "" when none; capped */
};

struct ex_result {
	enum ex_status status;
	char *message;          /* one or more lines; "" when none */
	struct ex_sub *checks;
	int n;
	size_t cap;
	long long run_ms;       /* from the start of the check to its end */
	long long compile_ms;   /* the compiler's time; 0 when not compiled */
	long long runner_cpu_us; /* CPU time the tutor itself spent on the
	                          * run (its children not counted) */
};

/* "pass", "fail", "error", "skip". */
const char *ex_status_name(enum ex_status s);

/* Add a sub-check (name and output copied; output may be NULL). */
void ex_result_add(struct ex_result *r, const char *name, enum ex_status st,
    const char *output);

/* Set the message (copied), replacing the one there. */
void ex_result_message(struct ex_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Free what r holds; r is zeroed. */
void ex_result_free(struct ex_result *r);

/* Read TAP text (`ok N - name`, `not ok N - name`, `# ...` lines that
 * follow a test line are its output) into r's sub-checks. Lines that are
 * not TAP are kept in *other (allocated, "" when none) if asked. Returns
 * the number of test lines. */
int ex_tap_parse(struct ex_result *r, const char *tap, char **other);

/* The status from the sub-checks: pass if at least one and none failed,
 * fail if any failed, error if there are none. */
enum ex_status ex_result_judge(const struct ex_result *r);

/* The result as JSON (one object, no newline at the end): {"exercise",
 * "status", "message", "run_ms", "compile_ms", "runner_cpu_us", "checks": [{"name", "status",
 * "output"}]}. Allocated. */
char *ex_result_json(const struct ex_result *r, const char *id);

/* The result as text lines for a person: a first line with the status,
 * then one line per sub-check ("  ok  name" / "  FAIL name" and its
 * output indented), then the message. zh picks the language. Allocated. */
char *ex_result_text(const struct ex_result *r, const char *id, int zh);

/* s as a JSON string with its quotes. Allocated. */
char *ex_json_str(const char *s);

#endif
