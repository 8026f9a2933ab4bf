/* demo_gate.h — the step gates of a running demo, as the supervisor keeps
 * them: every actor (a process, a thread, a coroutine) has a gate of its
 * own (a socket pair: it reads one byte from its end at each step), and
 * the actors that reached a step wait in the order they came. Paused, one
 * step lets the actor that waited longest through; a step given while
 * nobody waits is a credit the next arrival uses.
 *
 * An actor is named by its TID and the number its process gave it (see
 * demo_actor.h). Ownership: the gates own the descriptors given to
 * gates_add() and close them on gates_remove() and gates_free().
 * Thread-safety: none (the supervisor's thread). */
#ifndef SYSTOUR_DEMO_GATE_H
#define SYSTOUR_DEMO_GATE_H

#include <sys/types.h>

struct demo_gates;

struct demo_gates *gates_new(void);

/* Close every gate (the actors waiting pass: their read sees the end) and
 * free. Safe with NULL. */
void gates_free(struct demo_gates *g);

/* A new actor with the supervisor's end fd of its gate, a socket (made
 * non-blocking here; the gates own it), and the inode of the actor's end.
 * An actor with the same name replaces the old one. */
void gates_add(struct demo_gates *g, pid_t tid, unsigned seq, int pane,
    int fd, unsigned long ino);

/* The actor is released: close its gate. */
void gates_remove(struct demo_gates *g, pid_t tid, unsigned seq);

/* The actor reached a step and waits at its gate: queue it (or let it
 * through at once with a credit). 0, or -1 for an unknown actor. */
int gates_arrive(struct demo_gates *g, pid_t tid, unsigned seq);

/* How many actors wait. */
int gates_waiting(const struct demo_gates *g);

/* Let the actor that waited longest through (one that died waiting is
 * dropped, and the next one goes). Its pane, or -1 if nobody went. */
int gates_release_first(struct demo_gates *g);

/* One step (the learner's n): the first waiting actor passes (its pane is
 * returned), or, with nobody waiting, the next to arrive will (-1). */
int gates_step(struct demo_gates *g);

/* The inode numbers of the actors' ends of the gates, up to max; their
 * count. */
int gates_inodes(const struct demo_gates *g, unsigned long *ino, int max);

#endif
