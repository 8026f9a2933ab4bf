/* demo_threads.c — lesson 06's "threads" demo: threading.Thread is
 * pthread_create, one pane per thread with its TID; both threads write to
 * the same memory; /proc/PID/task lists them while they live, and join()
 * waits until they are gone. */
#define _GNU_SOURCE
#include "threads.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char threads_code[] =
	"import os, threading\n"                                        /* 1 */
	"\n"
	"shared = []\n"
	"\n"
	"def run_fun(name):\n"                                          /* 5 */
	"    shared.append(name)          # the same list: threads share memory\n"
	"    print('%s pid=%s tid=%s' % (name, os.getpid(), threading.get_native_id()))\n"
	"\n"
	"t1 = threading.Thread(target=run_fun, args=('thread1',))\n"
	"t2 = threading.Thread(target=run_fun, args=('thread2',))\n"    /* 10 */
	"t1.start(); t2.start()\n"
	"t1.join(); t2.join()\n"
	"print(shared)                    # the main thread sees what both wrote\n";

struct run {
	struct demo_ctx *ctx;
	const struct demo_api *api;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const char *shared[2];
	int nshared;
	int arrived, go;
	pid_t tid[2];
};

struct arg {
	struct run *r;
	int i;
	const char *name;
};

static void *
run_fun(void *p)
{
	struct arg *a = p;
	struct run *r = a->r;
	struct demo_ctx *ctx = r->ctx;
	const struct demo_api *api = r->api;
	struct demo_actor *me = api->actor(ctx, 1 + a->i, a->name);
	pid_t tid = tid_self();

	api->step(me, 6);
	pthread_mutex_lock(&r->mu);
	r->shared[r->nshared++] = a->name;
	int n = r->nshared;
	pthread_mutex_unlock(&r->mu);
	api->print(me, TR("shared.append('%s'): the list now has %d item(s), at %p in "
	    "the one address space\n", "shared.append('%s')：列表现在有 %d 项，"
	    "地址 %p，在同一个地址空间里\n"), a->name, n, (void *)r->shared);
	api->step(me, 7);
	api->print(me, "%s pid=%d tid=%d\n", a->name, (int)getpid(), (int)tid);
	api->print(me, TR("getpid() is the process's; gettid() is mine: "
	    "/proc/%d/task/%d\n", "getpid() 是进程的；gettid() 是我自己的："
	    "/proc/%d/task/%d\n"), (int)getpid(), (int)tid);
	/* stay alive until main has looked at /proc/PID/task */
	pthread_mutex_lock(&r->mu);
	r->tid[a->i] = tid;
	r->arrived++;
	pthread_cond_broadcast(&r->cv);
	while (!r->go)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
	api->print(me, TR("run_fun returns: thread %d ends\n",
	    "run_fun 返回：线程 %d 结束\n"), (int)tid);
	api->release(me);
	return NULL;
}

static void
show_tasks(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me, const struct run *r, int *count)
{
	pid_t t[16];
	int n = task_list(t, 16);
	*count = n;
	api->print(me, TR("ls /proc/%d/task: %d thread(s)\n",
	    "ls /proc/%d/task：%d 个线程\n"), (int)getpid(), n);
	for (int i = 0; i < n; i++) {
		char w[64];
		char st = task_state(t[i], w, sizeof w);
		const char *who = t[i] == getpid() ? "main" :
		    t[i] == r->tid[0] ? "thread1" : t[i] == r->tid[1] ?
		    "thread2" : "?";
		api->print(me, TR("  task/%d  %-8s state %c, wchan %s\n",
		    "  task/%d  %-8s 状态 %c，wchan %s\n"), (int)t[i], who,
		    st ? st : '?', w);
	}
}

static int
threads_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	struct run r = { .ctx = ctx, .api = api };
	struct arg args[2] = { { &r, 0, "thread1" }, { &r, 1, "thread2" } };
	pthread_t th[2];
	int before, during, after;

	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	api->step(me, 3);
	before = task_list((pid_t[16]){ 0 }, 16);
	api->print(me, TR("main thread: pid=%d tid=%d; /proc/%d/task has %d entry\n",
	    "主线程：pid=%d tid=%d；/proc/%d/task 有 %d 项\n"), (int)getpid(),
	    (int)tid_self(), (int)getpid(), before);
	api->step(me, 9);
	api->print(me, TR("Thread(...) only makes an object: no thread yet\n",
	    "Thread(...) 只是创建一个对象：还没有线程\n"));
	api->step(me, 11);
	for (int i = 0; i < 2; i++) {
		int e = pthread_create(&th[i], NULL, run_fun, &args[i]);
		if (e != 0) {
			api->print(me, "pthread_create: %s\n", strerror(e));
			return 1;
		}
		api->print(me, TR("t%d.start(): pthread_create() -> clone3(CLONE_VM|"
		    "CLONE_FILES|CLONE_THREAD|...)\n", "t%d.start()：pthread_create() -> "
		    "clone3(CLONE_VM|CLONE_FILES|CLONE_THREAD|...)\n"), i + 1);
	}
	/* both threads are alive and waiting: look at them as the kernel does */
	pthread_mutex_lock(&r.mu);
	while (r.arrived < 2)
		pthread_cond_wait(&r.cv, &r.mu);
	pthread_mutex_unlock(&r.mu);
	for (int i = 0; i < 2; i++)
		wait_on_futex(r.tid[i], 5000);
	show_tasks(ctx, api, me, &r, &during);
	api->figure(me, "tasks_while_running", during);
	api->figure(me, "tids_distinct", r.tid[0] != r.tid[1] &&
	    r.tid[0] != getpid() && r.tid[1] != getpid());
	api->step(me, 12);
	pthread_mutex_lock(&r.mu);
	r.go = 1;
	pthread_cond_broadcast(&r.cv);
	pthread_mutex_unlock(&r.mu);
	for (int i = 0; i < 2; i++) {
		long long t0 = demo_now_ms();
		pthread_join(th[i], NULL);
		api->print(me, TR("t%d.join(): thread %d has ended (waited %lld ms)\n",
		    "t%d.join()：线程 %d 已结束（等了 %lld 毫秒）\n"), i + 1,
		    (int)r.tid[i], demo_now_ms() - t0);
	}
	/* the kernel lets go of an ended thread's entry just after join()
	 * returns: give it a moment (a watchdog's wait, with a deadline) */
	for (long long t0 = demo_now_ms(); task_list((pid_t[16]){ 0 }, 16) > 1 &&
	    demo_now_ms() - t0 < 2000;)
		nap_ms(5);
	show_tasks(ctx, api, me, &r, &after);
	api->figure(me, "tasks_after_join", after);
	api->step(me, 13);
	api->print(me, "['%s', '%s']\n", r.shared[0], r.shared[1]);
	api->figure(me, "shared_items", r.nshared);
	api->note(me, "%s", TR("threads share one PID and one memory; each has "
	    "its own TID under /proc/PID/task", "线程共用一个 PID 和一份内存；"
	    "每个线程在 /proc/PID/task 下有自己的 TID"));
	return 0;
}

static const char *const threads_panes[] = { "main", "thread1", "thread2", NULL };
static const char *const threads_panes_zh[] = { "主线程", "线程1", "线程2", NULL };

const struct systour_demo threads_demo = {
	.name = "threads",
	.title_en = "threading.Thread: pthread_create, one PID, a TID per thread, "
	    "shared memory, join",
	.title_zh = "threading.Thread：pthread_create，一个 PID，每个线程一个 TID，"
	    "共享内存，join",
	.code = threads_code,
	.panes = threads_panes,
	.panes_zh = threads_panes_zh,
	.run = threads_run,
};
