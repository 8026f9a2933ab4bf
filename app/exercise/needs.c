/* needs.c — what a check needs before it can run: python3, a C compiler,
 * the commands and python modules its exercise.ini names (each asked once
 * per process), and how many processes our user has (for RLIMIT_NPROC).
 * See runner.h. */
#include "runner.h"
#include "util.h"
#include "lang.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int
in_path(const char *cmd)
{
	const char *path = getenv("PATH");
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	char *copy = xstrdup(path), *save = NULL;
	int found = 0;
	for (char *d = strtok_r(copy, ":", &save); d && !found;
	    d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", d, cmd);
		found = access(p, X_OK) == 0;
		free(p);
	}
	free(copy);
	return found;
}

/* Is a python module importable? Asked of python3 once per module. */
static int
py_has(const char *mod)
{
	static struct { char *name; int has; } known[32];
	static int nknown;
	for (int i = 0; i < nknown; i++)
		if (strcmp(known[i].name, mod) == 0)
			return known[i].has;
	int has = 0;
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		char *code = xasprintf("import %s", mod);
		execlp("python3", "python3", "-c", code, (char *)NULL);
		_exit(127);
	}
	int st;
	if (pid > 0 && waitpid(pid, &st, 0) == pid)
		has = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	if (nknown < 32) {
		known[nknown].name = xstrdup(mod);
		known[nknown++].has = has;
	}
	return has;
}

/* A need is a command when it is found in PATH or named as one of these;
 * otherwise a python module. */
static int
is_command_need(const char *need)
{
	static const char *const cmds[] = { "python3", "cc", "gcc", "sh",
	    "redis-server", "nc", NULL };
	for (int i = 0; cmds[i]; i++)
		if (strcmp(need, cmds[i]) == 0)
			return 1;
	return in_path(need);
}

char *
ex_missing(const struct exercise *ex)
{
	if (ex->track == EX_PYTHON && !in_path("python3"))
		return xstrdup(LD("python3 (apt-get install python3)",
		    "python3（apt-get install python3）"));
	if (ex->track == EX_C && !in_path("cc"))
		return xstrdup(LD("a C compiler (apt-get install gcc)",
		    "C 编译器（apt-get install gcc）"));
	for (int i = 0; i < ex->nneeds; i++) {
		const char *n = ex->needs[i];
		if (is_command_need(n)) {
			if (!in_path(n))
				return xasprintf(LD("%s (apt-get install %s)",
				    "%s（apt-get install %s）"), n,
				    strcmp(n, "python3") == 0 ? "python3" : n);
		} else if (!in_path("python3"))
			return xstrdup(LD("python3 (apt-get install python3)",
			    "python3（apt-get install python3）"));
		else if (!py_has(n))
			return xasprintf(LD("the python module %s (apt-get "
			    "install "
			    "python3-%s, or pip install %s)",
			    "Python 模块 %s（apt-get install python3-%s，或 "
			    "pip "
			    "install %s）"), n, n, n);
	}
	return NULL;
}

/* Processes of our real user now: RLIMIT_NPROC counts them all, so a
 * limit of "procs more" is theirs plus procs. */
int
ex_user_processes(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	uid_t me = getuid();
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		char path[300];
		struct stat st;
		snprintf(path, sizeof path, "/proc/%s", e->d_name);
		if (stat(path, &st) == 0 && st.st_uid == me)
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

