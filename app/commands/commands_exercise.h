/* commands_exercise.h — what the exercise commands share with the rest of
 * the program: the catalogue loaded on first use, recording an attempt,
 * the next hint, the solution, and `reset EX`. */
#ifndef SYSTOUR_COMMANDS_EXERCISE_H
#define SYSTOUR_COMMANDS_EXERCISE_H

#include "app.h"
#include "result.h"
#include "shell.h"


/* The exercises, loaded on first use (a broken exercise.ini is warned
 * about on stderr and left out). NULL and *cause when there is no
 * exercises folder. */
struct exercise_set *app_exercises(struct app *app, char **cause);

/* What the exercise commands share (commands_exercise.c):
 * ex_take: the exercise the first argument names, or the current one
 * (app->ex_cur), which it becomes; NULL after saying why, as cmd.
 * ex_take_workspace: --workspace, $SYSTOUR_WORKSPACE or the default
 * (allocated). ex_prepare: the learner's folder, the starter copied on
 * first use (*copied: how many now; may be NULL); NULL after saying why.
 * ex_tui_open: in the TUI, show the exercise's view and set *rc: 1; 0
 * elsewhere. ex_zh: the learner reads Chinese. */
const struct exercise *ex_take(struct app *app, struct cmd_args *args,
    const char *cmd);
char *ex_take_workspace(struct cmd_args *args);
char *ex_prepare(struct app *app, const struct exercise *ex, const char *ws,
    const char *cmd, int *copied);
int ex_tui_open(struct app *app, const struct exercise *ex, const char *dir,
    enum cmd_retval *rc);
int ex_zh(struct app *app);

/* Load the exercises and mark each lesson's `::: exercise ID` that names
 * one as available. */
void ex_mark_available(struct app *app);

/* Record an attempt and its result in the progress store. */
void ex_record_attempt(struct app *app, const char *id,
    const struct ex_result *r);

/* The next hint as text ("Hint 2 of 3:\n..."), recorded as seen; NULL
 * when the exercise has none. Allocated. */
char *ex_next_hint(struct app *app, const struct exercise *ex);

/* The solution's files as text, recorded as seen; NULL and *cause before
 * a failed attempt. Allocated. */
char *ex_solution_text(struct app *app, const struct exercise *ex,
    char **cause);

/* reset EX [--yes] [--workspace DIR]: the starter back over the learner's
 * copy, after asking. */
enum cmd_retval ex_reset_exec(struct app *app, struct cmd_args *args);

#endif
