/* threads.h — what the files of lesson 06's module share: a thread's
 * state as the kernel shows it (/proc/self/task/TID), what glibc keeps in
 * a mutex (its owner and its count), a watchdog's wait with a deadline,
 * and the six demos that demos.c lists.
 *
 *   demos.c            the module table
 *   common.c           the helpers declared here
 *   demo_threads.c     threads: creation and join, one pane per thread
 *   demo_race.c        race: lost updates without a lock, none with one;
 *                      the notes' read_thread/change_thread with RLock
 *   demo_rlock.c       lock-vs-rlock: a Lock taken twice deadlocks, an
 *                      RLock counts
 *   demo_deadlock.c    deadlock: two locks in opposite orders, detected
 *   demo_gil.c         gil: a C model of the GIL, threads and processes,
 *                      CPython itself, and the convoy effect
 *   demo_condition.c   condition: a bounded buffer, Event, Semaphore
 *
 * Everything here is hidden: the module exports systour_lesson_module
 * alone. */
#ifndef SYSTOUR_LESSON06_THREADS_H
#define SYSTOUR_LESSON06_THREADS_H

#include "demo_lib.h"
#include "lesson_module.h"

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

#pragma GCC visibility push(hidden)

/* The learner's language, where api and ctx are in scope. */
#define TR(en, zh_) DEMO_TR(api, ctx, en, zh_)

/* The calling thread's TID. */
pid_t tid_self(void);

/* What /proc/self/task/TID says about a thread of this process: its state
 * letter (0 when there is no such thread), and in wchan (may be NULL) the
 * kernel function it sleeps in ("futex_wait_queue"; "-" when unknown). */
char task_state(pid_t tid, char *wchan, size_t len);

/* Is the thread asleep on a futex (state S, wchan naming futex), as a
 * thread blocked on a mutex, a condition or a semaphore is? */
int task_on_futex(pid_t tid);

/* Wait until the thread is asleep on a futex, checking every 5 ms, for at
 * most ms milliseconds (a watchdog's wait: it never paces the demo).
 * The time it took, or -1 on timeout. */
long long wait_on_futex(pid_t tid, long long ms);

/* The TIDs in /proc/self/task, up to max, in out; their count. */
int task_list(pid_t *out, int max);

/* What glibc keeps in a mutex: the TID of its owner (0: free) and, for a
 * recursive mutex, how many times the owner locked it. */
int mutex_owner(const pthread_mutex_t *m);
unsigned mutex_count(const pthread_mutex_t *m);

/* Sleep ms milliseconds (a watchdog's interval or a measured job's IO,
 * never a step's pace). */
void nap_ms(long ms);

extern const struct systour_demo threads_demo, race_demo, rlock_demo,
    deadlock_demo, gil_demo, condition_demo;

#pragma GCC visibility pop

#endif
