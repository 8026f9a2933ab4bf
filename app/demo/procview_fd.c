/* procview_fd.c — the open fds of a procview scan: each process's
 * /proc/PID/fd links with their kinds (pipe, socket, file, directory, named
 * pipe, other) and access modes, the index of pipe fds by inode that tells
 * who holds the other end of a pipe, and the caller's own ends of the
 * group's pipes. */
#include "procview_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- File descriptors ------------------------------------------------- */

/* The access mode of an fd. The kernel gives each link of /proc/PID/fd
 * the permission bits of the open file's mode (r-x read, -wx write, rwx
 * both): the same as O_ACCMODE in the flags of /proc/PID/fdinfo/FD, for one
 * lstat instead of reading a file. Neither bit: an O_PATH fd. */
static int
read_mode(int fddir, const char *name)
{
	struct stat st;
	if (fstatat(fddir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return MODE_UNKNOWN;
	int r = (st.st_mode & S_IRUSR) != 0, w = (st.st_mode & S_IWUSR) != 0;
	return r && w ? O_RDWR : w ? O_WRONLY : r ? O_RDONLY : MODE_PATH;
}

/* "pipe:[123]" gives 123 when prefix is "pipe:[". */
static int
link_inode(const char *link, const char *prefix, unsigned long *ino)
{
	size_t n = strlen(prefix);
	if (strncmp(link, prefix, n) != 0)
		return 0;
	char *end;
	*ino = strtoul(link + n, &end, 10);
	return *end == ']';
}

static struct pfd *
add_fd(struct procview *pv)
{
	pv->fds = grow(pv->fds, &pv->fdcap, pv->nfds + 1, sizeof *pv->fds);
	struct pfd *f = &pv->fds[pv->nfds++];
	memset(f, 0, sizeof *f);
	f->desc = NONE;
	return f;
}

/* Read the fds of pr: their links, kinds and modes. 0, or -1 when the
 * process is gone. */
int
pv_read_fds(struct procview *pv, struct proc *pr)
{
	char path[64], link[PATH_MAX];
	pid_t pid = pr->pub.pid;
	pr->fd_first = pv->nfds;
	pr->fd_n = 0;
	pv->fdnums.n = 0;
	snprintf(path, sizeof path, "%d/fd", (int)pid);
	int fddir = openat(pv->procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fddir < 0 || pv_list_dir(pv, fddir, &pv->fdnums) < 0) {
		pr->fd_err = errno;
		pr->pub.nfds = -1;
		if (fddir >= 0)
			close(fddir);
		return pr->fd_err == ENOENT || pr->fd_err == ESRCH ? -1 : 0;
	}
	pr->pub.nfds = pv->fdnums.n;
	int *nums = pv->fdnums.v;
	int count = pv->fdnums.n;
	for (int i = 1; i < count; i++)         /* mostly sorted already */
		for (int j = i; j > 0 && nums[j - 1] > nums[j]; j--) {
			int t = nums[j];
			nums[j] = nums[j - 1];
			nums[j - 1] = t;
		}
	for (int i = 0; i < count && pr->fd_n < PROCVIEW_MAX_FDS; i++) {
		char name[16];
		snprintf(name, sizeof name, "%d", nums[i]);
		ssize_t k = readlinkat(fddir, name, link, sizeof link - 1);
		if (k < 0) {
			pr->pub.nfds--;         /* closed meanwhile */
			continue;
		}
		link[k] = '\0';
		struct pfd *f = add_fd(pv);
		f->pid = pid;
		f->fd = nums[i];
		f->target = pv_pool_add(pv, link, (size_t)k);
		/* a socket's file is always opened O_RDWR */
		if (link_inode(link, "socket:[", &f->ino)) {
			f->kind = FK_SOCK;
			f->mode = O_RDWR;
			pr->fd_n++;
			continue;
		}
		f->mode = read_mode(fddir, name);
		if (link_inode(link, "pipe:[", &f->ino))
			f->kind = FK_PIPE;
		else if (link[0] == '/' && strncmp(link, "/dev/", 5) != 0) {
			struct stat st;
			f->kind = FK_OTHER;
			if (fstatat(fddir, name, &st, 0) == 0) {
				if (S_ISREG(st.st_mode))
					f->kind = FK_FILE;
				else if (S_ISDIR(st.st_mode))
					f->kind = FK_DIR;
				else if (S_ISFIFO(st.st_mode))
					f->kind = FK_FIFO;
			}
		} else
			f->kind = FK_OTHER;
		pr->fd_n++;
	}
	close(fddir);
	return 0;
}

static int
cmp_pipe(const void *a, const void *b, void *arg)
{
	const struct pfd *fds = arg;
	const struct pfd *x = &fds[*(const int *)a], *y = &fds[*(const int *)b];
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* The first index in pv->pipes of a pipe fd with inode ino, or -1. */
int
pv_find_pipe(const struct procview *pv, unsigned long ino)
{
	int lo = 0, hi = pv->npipes;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (pv->fds[pv->pipes[mid]].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < pv->npipes && pv->fds[pv->pipes[lo]].ino == ino ? lo : -1;
}

void
pv_index_pipes(struct procview *pv)
{
	pv->npipes = 0;
	pv->pipes = grow(pv->pipes, &pv->pipecap, pv->nfds, sizeof *pv->pipes);
	for (int i = 0; i < pv->nfds; i++)
		if (pv->fds[i].kind == FK_PIPE)
			pv->pipes[pv->npipes++] = i;
	if (pv->npipes > 1)
		qsort_r(pv->pipes, pv->npipes, sizeof *pv->pipes, cmp_pipe, pv->fds);
}

/* Add the caller's ends of the group's pipes (the demo supervisor reads
 * the panes), unless the caller is in the group and was read already. */
void
pv_read_caller_pipes(struct procview *pv)
{
	char link[64];
	for (int i = 0; i < pv->n; i++)
		if (pv->procs[i].pub.pid == pv->self)
			return;
	pv_index_pipes(pv);
	if (pv->npipes == 0)
		return;
	pv->fdnums.n = 0;
	int fddir = openat(pv->procfd, "self/fd", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);
	if (fddir < 0)
		return;
	if (pv_list_dir(pv, fddir, &pv->fdnums) < 0)
		pv->fdnums.n = 0;
	for (int i = 0; i < pv->fdnums.n; i++) {
		char name[16];
		unsigned long ino;
		snprintf(name, sizeof name, "%d", pv->fdnums.v[i]);
		ssize_t k = readlinkat(fddir, name, link, sizeof link - 1);
		if (k < 0)
			continue;
		link[k] = '\0';
		if (!link_inode(link, "pipe:[", &ino) || pv_find_pipe(pv, ino) < 0)
			continue;
		struct pfd *f = add_fd(pv);
		f->pid = pv->self;
		f->fd = pv->fdnums.v[i];
		f->kind = FK_PIPE;
		f->ino = ino;
		f->mode = read_mode(fddir, name);
		f->target = pv_pool_add(pv, link, (size_t)k);
	}
	close(fddir);
}
