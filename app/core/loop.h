/* loop.h — the one event loop: every front end and server of systour (the
 * TUI, a plain demo run, the manager, later serve and teach) registers its
 * descriptors, timers, children and signals here, and nothing else polls.
 *
 * It is a small loop of our own over epoll (readiness), a sorted list of
 * deadlines (timers: the epoll_wait timeout), and one self-pipe that every
 * handled signal writes its number to (SIGCHLD included: child exits are
 * dispatched by PID or by process group from that one path, so two
 * supervisors never steal each other's wake-ups). Why not libevent, as
 * tmux: what we need is these four things and a deterministic order that
 * tests can drive one round at a time (loop_once); 400 lines we can read
 * in one sitting beat a dependency whose signal handling we would have to
 * work around (demos fork children that must not inherit its state).
 *
 * Ownership: a watch belongs to the loop; loop_cancel() frees it (safe to
 * call from inside its own callback, and on NULL). The loop never closes a
 * descriptor it was given. Callbacks run on the loop's thread only. */
#ifndef SYSTOUR_LOOP_H
#define SYSTOUR_LOOP_H

#include <sys/types.h>

struct loop;
struct loop_watch;

/* LOOP_HANGUP: wait only for the peer of a socket to hang up (its
 * EPOLLRDHUP), without asking to read: a server that is not reading from a
 * client for now still notices it leaving. Reported as LOOP_READ. */
enum { LOOP_READ = 1, LOOP_WRITE = 2, LOOP_ERROR = 4, LOOP_HANGUP = 8 };

typedef void loop_fd_fn(struct loop *l, int fd, unsigned events, void *arg);
typedef void loop_timer_fn(struct loop *l, void *arg);
/* status as waitpid gives it */
typedef void loop_child_fn(struct loop *l, pid_t pid, int status, void *arg);
typedef void loop_signal_fn(struct loop *l, int sig, void *arg);

/* A new loop; NULL and *cause when the kernel refuses (no epoll). */
struct loop *loop_new(char **cause);

/* Free the loop and every watch still on it (callbacks are not called). */
void loop_free(struct loop *l);

/* Watch fd for events (LOOP_READ, LOOP_WRITE: LOOP_ERROR is always
 * reported, with LOOP_READ, on an error or a hang-up). fn gets the events
 * that happened. NULL if epoll refuses the descriptor (a regular file). */
struct loop_watch *loop_fd(struct loop *l, int fd, unsigned events,
    loop_fd_fn *fn, void *arg);

/* Change what a fd watch waits for (0: nothing for now). */
void loop_fd_set(struct loop_watch *w, unsigned events);

/* A timer that fires once, ms milliseconds from now (0: at the next round).
 * It stays on the loop after it fires, disarmed: loop_timer_set() arms it
 * again. */
struct loop_watch *loop_timer(struct loop *l, int ms, loop_timer_fn *fn,
    void *arg);

/* Arm a timer ms milliseconds from now, or disarm it with ms < 0. */
void loop_timer_set(struct loop_watch *w, int ms);

/* 1 if the timer is armed. */
int loop_timer_armed(const struct loop_watch *w);

/* Call fn for each exit of child pid (pid > 0), or of any child in process
 * group -pid (pid < 0: the group's leader and the orphans a subreaper
 * inherits), after reaping it with waitpid. A watch on a single PID is
 * cancelled by the loop after its one call. Other children of the process
 * are never reaped here. */
struct loop_watch *loop_child(struct loop *l, pid_t pid, loop_child_fn *fn,
    void *arg);

/* Call fn each time signal sig arrives (after the handler returned: no work
 * is done inside it). Several watches on one signal are all called. The
 * loop installs its handler for sig on the first watch (SA_RESTART) and
 * puts back the previous disposition when the last one is cancelled. */
struct loop_watch *loop_signal(struct loop *l, int sig, loop_signal_fn *fn,
    void *arg);

/* Remove a watch and free it. Safe on NULL and inside its own callback. */
void loop_cancel(struct loop_watch *w);

/* Wait at most max_ms (< 0: no limit besides the timers) for something to
 * happen, then dispatch it: fds, then signals and children, then due
 * timers. Returns how many callbacks ran. */
int loop_once(struct loop *l, int max_ms);

/* loop_once until loop_break() is called (from any callback). */
void loop_run(struct loop *l);
void loop_break(struct loop *l);

/* In a child just forked from a process that runs a loop: put back the
 * default disposition of every signal the loop handles and close the
 * loop's own descriptors, so nothing of the parent's loop leaks into it. */
void loop_after_fork(void);

#endif
