/* demo_plain.h — running a demo in plain text (`systour demo NAME --plain`,
 * and `demo NAME` in the plain shell). */
#ifndef SYSTOUR_DEMO_PLAIN_H
#define SYSTOUR_DEMO_PLAIN_H

#include "demo.h"

/* Run d to its end, printing "[pane] line" for each line of output and
 * "[demo] ..." for what the demo says and how each process ended. With
 * step_mode, each step waits for an Enter on stdin (and, at the end of
 * input, the demo runs on at delay_ms). Returns 0 when the demo's leader
 * exited with status 0, 1 otherwise, -1 (and *cause) when it cannot start. */
struct store;

/* The run happens on loop (which it leaves as it found it) and is recorded
 * in store (name, start, duration, how it ended). */
int demo_plain_run(struct loop *loop, const struct systour_demo *d,
    int step_mode, int delay_ms, enum lang lang, struct store *store,
    char **cause);

#endif
