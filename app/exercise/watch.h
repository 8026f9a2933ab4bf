/* watch.h — see a learner's save: inotify on the exercise's folder for a
 * file closed after writing or renamed into place (editors that save by
 * writing a new file and renaming it are seen), only for the exercise's
 * own files, debounced: one call about 200 ms after the last event of a
 * burst. While paused (a check is running) events are ignored.
 *
 * On the loop; thread-safety: none. */
#ifndef SYSTOUR_WATCH_H
#define SYSTOUR_WATCH_H

struct loop;
struct ex_watch;

#define EX_WATCH_DEBOUNCE_MS 200

/* first_ms: now_ms() of the first event of the burst (for measuring the
 * time from a save to its result). */
typedef void ex_watch_fn(void *arg, long long first_ms);

/* Watch dir for saves of the named files (names copied). NULL and *cause
 * when inotify cannot be had (the caller offers a manual re-run then). */
struct ex_watch *ex_watch_new(struct loop *l, const char *dir,
    const char *const *files, int nfiles, ex_watch_fn *fn, void *arg,
    char **cause);

/* Ignore events until resumed; resume drops what came meanwhile. */
void ex_watch_pause(struct ex_watch *w);
void ex_watch_resume(struct ex_watch *w);

/* Stop watching and free. Safe on NULL. */
void ex_watch_free(struct ex_watch *w);

#endif
