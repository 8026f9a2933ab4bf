/* demos.c — the live demos of lesson 02 (files and directories): fs-tree,
 * every os, os.path and shutil call of the notes done for real, with the
 * system calls underneath, on a scratch tree. Built into demos.so and
 * loaded by the tutor. */
#define _GNU_SOURCE
#include "demo_lib.h"
#include "lesson_module.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libgen.h>     /* after string.h: the POSIX basename() */

/* ---- fs-tree ---------------------------------------------------------------
 * Two actors. The "os" actor (the leader) works in the scratch directory and
 * makes one call of the notes per step, printing each system call under it
 * as strace would, then what Python returns. After every call it sends a
 * message through a pipe to the "tree" actor, a second process, which walks
 * the scratch tree, prints it indented with modes and sizes, and answers
 * through a second pipe: the tree shows the state right after each call,
 * never halfway through the next one. The tree starts and ends empty. */

static const char fs_code[] =
	"import os, shutil              # os.environ: a copy, made now\n"  /* 1 */
	"os.getcwd()                    # the process's cwd, not the script's\n"
	"os.makedirs('a/b/c')           # notes: os.makedirs()\n"
	"os.mkdir('a/d')                # notes: os.mkdir()\n"
	"open('a/x.txt', 'w').write('hello, tree\\n')\n"                    /* 5 */
	"open('a/b/c/g.txt', 'w').write('g' * 100)\n"
	"os.listdir('a')                # notes: os.listdirt([path])\n"
	"os.remove('a/b/c/g.txt')       # notes: os.remove(filepath)\n"
	"os.removedirs('a/b/c')         # notes: os.removedirs()\n"
	"os.rename('a/x.txt', 'a/y.txt')  # notes: os.rename(old\xef\xbc\x8cnew)\n"
	"os.stat('a/y.txt')             # notes: os.stat()\n"              /* 11 */
	"os.path.isfile('a/y.txt')      # notes: os.path.isfile(filepath)\n"
	"os.path.isdir('a')             # notes: os.path.isdir(filepath)\n"
	"os.path.isabs('a/y.txt')       # notes: os.path.isabs()\n"
	"os.path.exists('missing')      # notes: os.path.exists()\n"       /* 15 */
	"os.path.split('a/y.txt')       # notes: os.path.split()\n"
	"os.path.splitext('a/b.tar.gz') # notes: os.path.splitext()\n"
	"os.path.dirname('a/y.txt')     # notes: os.path.dirname(filepath)\n"
	"os.path.basename('a/y.txt')    # notes: os.path.basename\n"
	"os.putenv('FOO', '1')          # notes: os.putenv()\n"            /* 20 */
	"os.getenv('FOO')               # notes: os.getenv(): None here!\n"
	"os.system('echo FOO=$FOO')     # yet a child process sees it\n"
	"os.environ['FOO'] = '1'        # the copy, and putenv too\n"
	"os.getenv('FOO')\n"
	"os.linesep                     # notes: os.getlineseq\n"          /* 25 */
	"os.name                        # notes: os.name, not the platform\n"
	"os.chmod('a/y.txt', 0o640)     # to see what shutil.copy keeps\n"
	"shutil.copyfile('a/y.txt', 'h.txt')\n"
	"shutil.copy('a/y.txt', 'a/d')\n"
	"shutil.copytree('a', 'a2')\n"                                      /* 30 */
	"shutil.move('h.txt', 'a/d/h.txt')\n"
	"shutil.rmtree('a2')\n"
	"shutil.rmtree('a')\n";

#define FS_LINES 33

/* Each line's name, for the figures ("entries_makedirs"). */
static const char *const fs_labels[FS_LINES + 1] = {
	"start", "import", "getcwd", "makedirs", "mkdir", "write_x", "write_g",
	"listdir", "remove", "removedirs", "rename", "stat", "isfile", "isdir",
	"isabs", "exists", "split", "splitext", "dirname", "basename", "putenv",
	"getenv", "system", "environ", "getenv2", "linesep", "name", "chmod",
	"copyfile", "copy", "copytree", "move", "rmtree_a2", "rmtree_a",
};

struct fs {
	struct demo_ctx *ctx;
	const struct demo_api *api;
	struct demo_actor *me;  /* this process's actor */
	int go_wr, done_rd;     /* to the tree actor (a line number), and back */
	char py_foo[16];        /* os.environ['FOO'] in Python's copy, "" if none */
	long long written;      /* bytes written to a/x.txt */
};

static int trace_on = 1;        /* print each system call */
/* The learner's language, set by fs_run() before the actors fork: the
 * helpers below that print do not see the demo's ctx. */
static int zh;
#define TR(en, zh_) (zh ? (zh_) : (en))
static char foo_is_1[] = "FOO=1";       /* putenv() keeps the pointer */

/* Print a system call and its result as strace does; keep errno. */
static long __attribute__((format(printf, 2, 3)))
traced(long rc, const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	if (!trace_on)
		return rc;
	va_start(ap, fmt);
	printf("   ");
	vprintf(fmt, ap);
	va_end(ap);
	if (rc < 0)
		printf(" = -1 %s (%s)\n", strerrorname_np(e), strerror(e));
	else
		printf(" = %ld\n", rc);
	errno = e;
	return rc;
}

/* stat.filemode(): "drwxr-xr-x". */
static void
filemode(mode_t m, char buf[11])
{
	static const char rwx[] = "rwxrwxrwx";
	buf[0] = S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISREG(m) ? '-' : '?';
	for (int i = 0; i < 9; i++)
		buf[1 + i] = (m & (0400 >> i)) ? rwx[i] : '-';
	buf[10] = '\0';
}

/* A directory's names but '.' and '..' (as os.listdir), in the kernel's
 * order, read with getdents64(), the system call under readdir(), into a
 * buffer on the stack. The actors make no new heap allocation (no
 * opendir, scandir, nftw): under the demo's RLIMIT_AS, a sanitizer build
 * cannot map new heap. Returns how many, or -1. */
#define MAX_NAMES 32
typedef char name_t[NAME_MAX + 1];

static int
read_names(int dfd, name_t *names)
{
	union { struct dirent64 align; char b[4096]; } buf;
	ssize_t len;
	int n = 0;
	do {
		len = traced(getdents64(dfd, buf.b, sizeof buf.b),
		    "getdents64(%d, buf, %zu)", dfd, sizeof buf.b);
		for (ssize_t off = 0; off < len; ) {
			struct dirent64 *e = (struct dirent64 *)(buf.b + off);
			off += e->d_reclen;
			if (n < MAX_NAMES && strcmp(e->d_name, ".") != 0 &&
			    strcmp(e->d_name, "..") != 0)
				snprintf(names[n++], sizeof *names, "%s", e->d_name);
		}
	} while (len > 0);
	return len < 0 ? -1 : n;
}

/* ---- os.path: string arithmetic only, as posixpath.py does it ------------ */

/* os.path.split: everything after the last '/', and what is before it
 * (trailing slashes removed, unless it is all slashes). */
static void
py_split(const char *p, char *head, char *tail, size_t size)
{
	const char *slash = strrchr(p, '/');
	size_t i = slash ? (size_t)(slash - p) + 1 : 0;
	snprintf(tail, size, "%s", p + i);
	snprintf(head, size, "%.*s", (int)i, p);
	size_t n = strlen(head);
	if (strspn(head, "/") != n)
		while (n > 0 && head[n - 1] == '/')
			head[--n] = '\0';
}

/* os.path.splitext: from the last dot of the last component, unless only
 * dots come before it ('.bashrc' has no extension). */
static void
py_splitext(const char *p, char *root, char *ext, size_t size)
{
	const char *slash = strrchr(p, '/'), *dot = strrchr(p, '.');
	const char *name = slash ? slash + 1 : p;
	if (dot && dot > name && (size_t)(dot - name) > strspn(name, ".")) {
		snprintf(root, size, "%.*s", (int)(dot - p), p);
		snprintf(ext, size, "%s", dot);
	} else {
		snprintf(root, size, "%s", p);
		ext[0] = '\0';
	}
}

/* ---- os and shutil, with the system calls underneath ----------------------- */

/* os.makedirs: make the parent first when stat() says it is missing. */
static int
makedirs(const char *name, int *made)
{
	char head[PATH_MAX], tail[PATH_MAX];
	struct stat st;
	py_split(name, head, tail, sizeof head);
	if (*head && *tail && traced(stat(head, &st), "stat(\"%s\")", head) < 0 &&
	    makedirs(head, made) < 0 && errno != EEXIST)
		return -1;
	if (traced(mkdir(name, 0777), "mkdir(\"%s\", 0777)", name) < 0)
		return -1;
	(*made)++;
	return 0;
}

/* open(path, 'w').write(data): open, write, close. */
static long long
write_file(const char *path, const char *data, size_t len)
{
	int fd = (int)traced(open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0666), "open(\"%s\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666)", path);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, data, len);
	traced(n, "write(%d, \"%.5s\"..., %zu)", fd, data, len);
	traced(close(fd), "close(%d)", fd);
	return n;
}

/* shutil.copyfile: open both files and let the kernel copy the bytes
 * with sendfile(), no user-space buffer; returns the bytes copied. */
static long long
copyfile(const char *src, const char *dst)
{
	long long total = 0;
	int in = (int)traced(open(src, O_RDONLY | O_CLOEXEC), "open(\"%s\", O_RDONLY)", src);
	if (in < 0)
		return -1;
	int out = (int)traced(open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666),
	    "open(\"%s\", O_WRONLY|O_CREAT|O_TRUNC, 0666)", dst);
	ssize_t n = out < 0 ? -1 : 1;
	while (n > 0) {
		n = traced(sendfile(out, in, NULL, 8 << 20),
		    "sendfile(%d, %d, NULL, 8 MiB)", out, in);
		total += n > 0 ? n : 0;
	}
	traced(close(in), "close(%d)", in);
	if (out >= 0)
		traced(close(out), "close(%d)", out);
	return n < 0 ? -1 : total;
}

/* shutil.copystat: the permission bits, then the times (copy2 is
 * copyfile followed by this). */
static int
copystat(const char *src, const char *dst)
{
	struct stat st;
	if (stat(src, &st) < 0)
		return -1;
	struct timespec times[2] = { st.st_atim, st.st_mtim };
	if (traced(chmod(dst, st.st_mode & 07777), "chmod(\"%s\", %04o)", dst,
	    (unsigned)(st.st_mode & 07777)) < 0)
		return -1;
	return (int)traced(utimensat(AT_FDCWD, dst, times, 0),
	    "utimensat(AT_FDCWD, \"%s\", {atime, mtime of %s}, 0)", dst, src);
}

/* shutil.copytree: mkdir, then copy2 each file and recurse into each
 * directory, then copystat the directory. One line per entry. */
static int
copytree(const char *src, const char *dst, int *files, int *dirs)
{
	char s[PATH_MAX], d[PATH_MAX];
	name_t names[MAX_NAMES];
	struct stat st;
	int fd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int n = fd < 0 ? -1 : read_names(fd, names), rc = 0;
	if (fd >= 0)
		close(fd);
	if (n < 0 || mkdir(dst, 0777) < 0)
		return -1;
	printf("   mkdir(\"%s\", 0777) = 0\n", dst);
	(*dirs)++;
	for (int i = 0; rc == 0 && i < n; i++) {
		snprintf(s, sizeof s, "%s/%s", src, names[i]);
		snprintf(d, sizeof d, "%s/%s", dst, names[i]);
		if (lstat(s, &st) < 0)
			rc = -1;
		else if (S_ISDIR(st.st_mode))
			rc = copytree(s, d, files, dirs);
		else {
			long long bytes = copyfile(s, d);
			rc = bytes < 0 ? -1 : copystat(s, d);
			printf(TR("   copy2 %s -> %s: open, sendfile %lld bytes, close, chmod,"
			    " utimensat\n",
			    "   copy2 %s -> %s：open，sendfile %lld 字节，close，chmod，utimensat\n"), s, d, bytes);
			(*files)++;
		}
	}
	if (rc == 0 && (rc = copystat(src, dst)) == 0)
		printf(TR("   copystat %s -> %s: chmod, utimensat\n",
		    "   copystat %s -> %s：chmod，utimensat\n"), src, dst);
	return rc;
}

/* shutil.rmtree as Python does it: through open directory fds, never
 * following a symbolic link (openat O_NOFOLLOW, fstatat), so nobody can
 * swap in a link halfway; each file is unlinkat()ed, each directory after
 * its entries with AT_REMOVEDIR. The paths are only for the trace
 * ("3<a>" is fd 3, open on a, as strace -y shows it). */
static int rm_files, rm_dirs;

static int
rmtree_at(int parent, const char *ppath, const char *name)
{
	name_t names[MAX_NAMES];
	char path[PATH_MAX], at[PATH_MAX + 16] = "AT_FDCWD", here[PATH_MAX + 16];
	struct stat st;
	if (parent != AT_FDCWD)
		snprintf(at, sizeof at, "%d<%s>", parent, ppath);
	if (snprintf(path, sizeof path, "%s%s%s", ppath, *ppath ? "/" : "", name) >=
	    (int)sizeof path)
		return -1;
	int fd = (int)traced(openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC), "openat(%s, \"%s\", O_RDONLY|O_DIRECTORY|O_NOFOLLOW)", at, name);
	int n = fd < 0 ? -1 : read_names(fd, names), rc = n < 0 ? -1 : 0;
	snprintf(here, sizeof here, "%d<%s>", fd, path);
	for (int i = 0; rc == 0 && i < n; i++) {
		if (fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			rc = -1;
		else if (S_ISDIR(st.st_mode))
			rc = rmtree_at(fd, path, names[i]);
		else if ((rc = (int)traced(unlinkat(fd, names[i], 0),
		    "unlinkat(%s, \"%s\", 0)", here, names[i])) == 0)
			rm_files++;
	}
	if (fd >= 0)
		traced(close(fd), "close(%d)", fd);
	if (rc == 0 && (rc = (int)traced(unlinkat(parent, name, AT_REMOVEDIR),
	    "unlinkat(%s, \"%s\", AT_REMOVEDIR)", at, name)) == 0)
		rm_dirs++;
	return rc;
}

static int
rmtree(struct fs *fs, const char *path)
{
	char name[64];
	rm_files = rm_dirs = 0;
	if (rmtree_at(AT_FDCWD, "", path) < 0)
		return -1;
	printf(TR("-> None (%d files unlinked, %d directories removed, deepest first)\n",
	    "-> None（unlink 了 %d 个文件，删除了 %d 个目录，从最深的开始）\n"),
	    rm_files, rm_dirs);
	snprintf(name, sizeof name, "rmtree_%s_unlinked", path);
	fs->api->figure(fs->me, name, rm_files);
	snprintf(name, sizeof name, "rmtree_%s_rmdirs", path);
	fs->api->figure(fs->me, name, rm_dirs);
	return 0;
}

/* os.system: fork, exec /bin/sh -c CMD with the C environ, wait. */
static int
py_system(struct fs *fs, const char *cmd)
{
	int status = 0;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fs->me = fs->api->to_pane(fs->ctx, 0, "sh");
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		perror("execl /bin/sh");
		_exit(127);
	}
	if (traced(pid, "fork()") < 0)
		return -1;
	printf("   execve(\"/bin/sh\", [\"sh\", \"-c\", \"%s\"], environ) in the child\n", cmd);
	if (traced(waitpid(pid, &status, 0), "wait4(%d, ...)", (int)pid) < 0)
		return -1;
	/* the pane is the os actor's again */
	fs->api->release(fs->me);
	fs->me = fs->api->to_pane(fs->ctx, 0, "os");
	return status;
}

/* What Python returns ("-> ..."), and a figure for the tests if named. */
static int __attribute__((format(printf, 4, 5)))
answer(struct fs *fs, const char *figure, long long value, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("-> ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (figure)
		fs->api->figure(fs->me, figure, value);
	return 0;
}

#define PYBOOL(k) ((k) ? "True" : "False")

/* One line of the code, for real: the system calls (printed as they
 * happen), then what Python returns. Returns -1 where Python raises. */
static int
fs_do(struct fs *fs, int line)
{
	char a[PATH_MAX], b[PATH_MAX], mode[11], *p;
	struct stat st, st2;
	long long n;
	int k = 0;

	switch (line) {
	case 1:         /* import os: os.environ is copied from the C environ */
		for (char **e = environ; *e; e++)
			k++;
		snprintf(fs->py_foo, sizeof fs->py_foo, "%s", getenv("FOO") ? getenv("FOO") : "");
		printf(TR("   os.environ = a dict copied from the C environ (%d variables)\n",
		    "   os.environ = 从 C 的 environ 复制来的 dict（%d 个变量）\n"), k);
		return 0;
	case 2:         /* os.getcwd() */
		if (getcwd(a, sizeof a) == NULL)
			return (int)traced(-1, "getcwd(buf, %zu)", sizeof a);
		printf("   getcwd(\"%s\", %zu) = %zu\n", a, sizeof a, strlen(a) + 1);
		k = realpath(fs->api->scratch(fs->ctx), b) && strcmp(a, b) == 0;
		return answer(fs, "cwd_is_scratch", k, "'%s' (%s)", a, k ? TR("the scratch"
		    " directory, where this process was started",
		    "临时目录，本进程就是在这里启动的") : TR("not the scratch?",
		    "不是临时目录？"));
	case 3:         /* os.makedirs('a/b/c'): stat() upwards, mkdir() downwards */
		if (makedirs("a/b/c", &k) < 0)
			return -1;
		return answer(fs, "makedirs_mkdirs", k, TR("None (%d directories made)",
		    "None（创建了 %d 个目录）"), k);
	case 4:         /* os.mkdir('a/d') */
		if (traced(mkdir("a/d", 0777), "mkdir(\"a/d\", 0777)") < 0 || stat("a/d", &st) < 0)
			return -1;
		mode_t mask = umask(0);
		umask(mask);
		filemode(st.st_mode, mode);
		return answer(fs, NULL, 0, TR("None (mode 0777 & ~umask %03o = %03o, %s)",
		    "None（模式 0777 & ~umask %03o = %03o，%s）"),
		    (unsigned)mask, (unsigned)(st.st_mode & 07777), mode);
	case 5:         /* open('a/x.txt', 'w').write('hello, tree\n') */
	case 6:         /* open('a/b/c/g.txt', 'w').write('g' * 100) */
		memset(a, 'g', 100);
		n = line == 5 ? write_file("a/x.txt", "hello, tree\n", 12) :
		    write_file("a/b/c/g.txt", a, 100);
		if (line == 5)
			fs->written = n;
		return n < 0 ? -1 : answer(fs, line == 5 ? "bytes_written" : NULL, n, "%lld", n);
	case 7: {       /* os.listdir('a'): open, getdents64 until 0, close */
		name_t names[MAX_NAMES];
		int fd = (int)traced(open("a", O_RDONLY | O_DIRECTORY | O_CLOEXEC),
		    "openat(AT_FDCWD, \"a\", O_RDONLY|O_DIRECTORY)");
		if (fd < 0 || (k = read_names(fd, names)) < 0)
			return -1;
		traced(close(fd), "close(%d)", fd);
		a[0] = '\0';
		for (int i = 0, at = 0, w; i < k; i++)
			if ((w = snprintf(a + at, sizeof a - (size_t)at, "%s'%s'", i ? ", " : "",
			    names[i])) > 0 && (size_t)(at + w) < sizeof a)
				at += w;
		return answer(fs, "listdir_count", k, TR("[%s] (the directory's order, not sorted)",
		    "[%s]（目录自己的顺序，没有排序）"), a);
	}
	case 8:         /* os.remove('a/b/c/g.txt') */
		if (traced(unlink("a/b/c/g.txt"), "unlink(\"a/b/c/g.txt\")") < 0)
			return -1;
		return answer(fs, NULL, 0, TR("None (a name is gone; the data goes with the last one)",
		    "None（少了一个名字；数据随最后一个名字一起消失）"));
	case 9:         /* os.removedirs('a/b/c'): the leaf, then parents while empty */
		snprintf(a, sizeof a, "a/b/c");
		if (traced(rmdir(a), "rmdir(\"%s\")", a) < 0)
			return -1;
		for (k = 1; (p = strrchr(a, '/')) != NULL && p != a; k++) {
			*p = '\0';      /* the parent */
			if (traced(rmdir(a), "rmdir(\"%s\")", a) < 0)
				break;  /* not empty: stop, quietly */
		}
		return answer(fs, "removedirs_removed", k, TR("None (%d directories removed)",
		    "None（删除了 %d 个目录）"), k);
	case 10:        /* os.rename('a/x.txt', 'a/y.txt') */
		if (stat("a/x.txt", &st) < 0 ||
		    traced(rename("a/x.txt", "a/y.txt"), "rename(\"a/x.txt\", \"a/y.txt\")") < 0 ||
		    stat("a/y.txt", &st2) < 0)
			return -1;
		return answer(fs, "rename_same_inode", st.st_ino == st2.st_ino, TR("None (inode %lu "
		    "before, %lu after: the same file, a new name)",
		    "None（之前 inode %lu，之后 %lu：同一个文件，新的名字）"), (unsigned long)st.st_ino,
		    (unsigned long)st2.st_ino);
	case 11:        /* os.stat('a/y.txt') */
		if (traced(stat("a/y.txt", &st), "stat(\"a/y.txt\", {...})") < 0)
			return -1;
		filemode(st.st_mode, mode);
		answer(fs, "stat_size", (long long)st.st_size, "os.stat_result(st_mode=0o%o, "
		    "st_ino=%lu, st_nlink=%lu, st_size=%lld, st_mtime=%lld)", (unsigned)st.st_mode,
		    (unsigned long)st.st_ino, (unsigned long)st.st_nlink,
		    (long long)st.st_size, (long long)st.st_mtim.tv_sec);
		printf(TR("   stat.filemode: %s; st_size %lld: the %lld bytes written\n",
		    "   stat.filemode：%s；st_size %lld：即写入的 %lld 字节\n"), mode,
		    (long long)st.st_size, fs->written);
		return 0;
	case 12:        /* os.path.isfile('a/y.txt'): stat, then S_ISREG */
		k = traced(stat("a/y.txt", &st), "stat(\"a/y.txt\")") == 0 && S_ISREG(st.st_mode);
		return answer(fs, "isfile", k, "%s (S_ISREG(st_mode))", PYBOOL(k));
	case 13:        /* os.path.isdir('a'): stat, then S_ISDIR */
		k = traced(stat("a", &st), "stat(\"a\")") == 0 && S_ISDIR(st.st_mode);
		return answer(fs, "isdir", k, "%s (S_ISDIR(st_mode))", PYBOOL(k));
	case 14:        /* os.path.isabs('a/y.txt') */
		k = "a/y.txt"[0] == '/';
		printf(TR("   (no system call: it only looks for a leading '/')\n",
		    "   （没有系统调用：它只看开头是不是 '/'）\n"));
		return answer(fs, "isabs", k, "%s", PYBOOL(k));
	case 15:        /* os.path.exists('missing'): stat, any error is False */
		k = traced(stat("missing", &st), "stat(\"missing\")") == 0;
		return answer(fs, "exists_missing", k, TR("%s (no exception: just False)",
		    "%s（不抛异常：只是 False）"), PYBOOL(k));
	case 16:        /* os.path.split('a/y.txt') */
		py_split("a/y.txt", a, b, sizeof a);
		printf(TR("   (no system call: string arithmetic; the path need not exist)\n",
		    "   （没有系统调用：只是字符串运算；路径不必存在）\n"));
		return answer(fs, NULL, 0, "('%s', '%s')", a, b);
	case 17:        /* os.path.splitext('a/b.tar.gz') */
		py_splitext("a/b.tar.gz", a, b, sizeof a);
		answer(fs, NULL, 0, TR("('%s', '%s') (only the last extension)",
		    "('%s', '%s')（只取最后一个扩展名）"), a, b);
		py_splitext(".bashrc", a, b, sizeof a);
		printf(TR("   and os.path.splitext('.bashrc') -> ('%s', '%s')\n",
		    "   而 os.path.splitext('.bashrc') -> ('%s', '%s')\n"), a, b);
		return 0;
	case 18:        /* os.path.dirname('a/y.txt') */
		py_split("a/y.txt", a, b, sizeof a);
		return answer(fs, NULL, 0, TR("'%s' (the head of os.path.split)",
		    "'%s'（os.path.split 的 head）"), a);
	case 19: {      /* os.path.basename('a/y.txt') */
		char c[] = "/x/y/";
		py_split("a/y.txt", a, b, sizeof a);
		answer(fs, NULL, 0, TR("'%s' (the tail of os.path.split)",
		    "'%s'（os.path.split 的 tail）"), b);
		py_split(c, a, b, sizeof a);
		printf("   os.path.basename('/x/y/') -> '%s', but C's basename(\"/x/y/\") = \"%s\"\n",
		    b, basename(c));
		return 0;
	}
	case 20:        /* os.putenv('FOO', '1'): the C environ only */
		if (putenv(foo_is_1) != 0)
			return -1;
		printf(TR("   putenv(\"FOO=1\"): no system call, an array in this process's memory\n",
		    "   putenv(\"FOO=1\")：没有系统调用，只是本进程内存里的一个数组\n"));
		return answer(fs, NULL, 0, TR("None (the C environ has FOO; os.environ has not)",
		    "None（C 的 environ 里有 FOO；os.environ 里没有）"));
	case 21:        /* os.getenv('FOO'): a lookup in the os.environ dict */
	case 24:
		printf("   os.environ.get('FOO'); C's getenv(\"FOO\") = \"%s\"\n",
		    getenv("FOO") ? getenv("FOO") : "(null)");
		snprintf(a, sizeof a, *fs->py_foo ? "'%s'" : "None", fs->py_foo);
		return answer(fs, line == 21 ? "environ_has_foo_after_putenv" :
		    "environ_has_foo", *fs->py_foo != '\0', "%s", a);
	case 22:        /* os.system('echo FOO=$FOO'): the child gets the C environ */
		if ((k = py_system(fs, "echo FOO=$FOO")) < 0)
			return -1;
		return answer(fs, "system_status", k, TR("%d (the wait status)",
		    "%d（wait 状态）"), k);
	case 23:        /* os.environ['FOO'] = '1': the copy, then putenv */
		snprintf(fs->py_foo, sizeof fs->py_foo, "1");
		printf(TR("   os.environ's dict gets FOO, then putenv(\"FOO=1\")\n",
		    "   os.environ 的 dict 先得到 FOO，然后 putenv(\"FOO=1\")\n"));
		return putenv(foo_is_1);
	case 25:        /* os.linesep: a str set when os is imported */
		return answer(fs, NULL, 0, TR("'\\n' (%zu character, a str: nothing to call)",
		    "'\\n'（%zu 个字符，一个 str：不用调用什么）"),
		    strlen("\n"));
	case 26: {      /* os.name: 'posix' names the family; uname the system */
		struct utsname u;
		if (traced(uname(&u), "uname(&buf)") < 0)
			return -1;
		return answer(fs, NULL, 0, TR("'posix' (uname says sysname '%s', release '%s')",
		    "'posix'（uname 说 sysname 是 '%s'，release 是 '%s'）"),
		    u.sysname, u.release);
	}
	case 27:        /* os.chmod('a/y.txt', 0o640) */
		return traced(chmod("a/y.txt", 0640), "chmod(\"a/y.txt\", 0640)") < 0 ? -1 : 0;
	case 28:        /* shutil.copyfile('a/y.txt', 'h.txt'): the bytes only */
		if ((n = copyfile("a/y.txt", "h.txt")) < 0 || stat("h.txt", &st) < 0)
			return -1;
		return answer(fs, "copyfile_bytes", n, TR("'h.txt' (%lld bytes; mode %04o, from"
		    " 0666 & ~umask)",
		    "'h.txt'（%lld 字节；模式 %04o，来自 0666 & ~umask）"), n, (unsigned)(st.st_mode & 07777));
	case 29:        /* shutil.copy('a/y.txt', 'a/d'): the bytes, then the mode */
		snprintf(a, sizeof a, "a/d");
		if (traced(stat(a, &st), "stat(\"%s\")", a) == 0 && S_ISDIR(st.st_mode))
			snprintf(a, sizeof a, "a/d/y.txt");   /* into the directory */
		if (copyfile("a/y.txt", a) < 0 || stat("a/y.txt", &st) < 0 ||
		    traced(chmod(a, st.st_mode & 07777), "chmod(\"%s\", %04o)", a,
		    (unsigned)(st.st_mode & 07777)) < 0 || stat(a, &st) < 0)
			return -1;
		return answer(fs, "copy_mode", st.st_mode & 07777, TR("'%s' (mode %04o: the"
		    " source's)",
		    "'%s'（模式 %04o：与源文件相同）"), a, (unsigned)(st.st_mode & 07777));
	case 30: {      /* shutil.copytree('a', 'a2') */
		int files = 0, dirs = 0;
		trace_on = 0;
		k = copytree("a", "a2", &files, &dirs);
		trace_on = 1;
		if (k < 0 || stat("a/y.txt", &st) < 0 || stat("a2/y.txt", &st2) < 0)
			return -1;
		k = st.st_mtim.tv_sec == st2.st_mtim.tv_sec &&
		    st.st_mtim.tv_nsec == st2.st_mtim.tv_nsec;
		fs->api->figure(fs->me, "copytree_files", files);
		fs->api->figure(fs->me, "copytree_dirs", dirs);
		return answer(fs, "copytree_mtime_kept", k, TR("'a2' (%d files, %d directories;"
		    " a2/y.txt's mtime %s a/y.txt's)",
		    "'a2'（%d 个文件，%d 个目录；a2/y.txt 的 mtime %s a/y.txt 的）"), files, dirs, k ? "==" : "!=");
	}
	case 31:        /* shutil.move('h.txt', 'a/d/h.txt'): rename, or copy + unlink */
		if (stat("h.txt", &st) < 0)
			return -1;
		traced(stat("a/d/h.txt", &st2), "stat(\"a/d/h.txt\")");  /* a directory? */
		if (traced(rename("h.txt", "a/d/h.txt"), "rename(\"h.txt\", \"a/d/h.txt\")") < 0 &&
		    (errno != EXDEV || copyfile("h.txt", "a/d/h.txt") < 0 ||
		    copystat("h.txt", "a/d/h.txt") < 0 ||
		    traced(unlink("h.txt"), "unlink(\"h.txt\")") < 0))
			return -1;      /* EXDEV: another file system, so copy2 + unlink */
		if (stat("a/d/h.txt", &st2) < 0)
			return -1;
		k = st.st_ino == st2.st_ino;
		return answer(fs, "move_same_inode", k, TR("'a/d/h.txt' (%s: inode %lu, then %lu)",
		    "'a/d/h.txt'（%s：inode 先是 %lu，后是 %lu）"),
		    k ? TR("renamed, no copy",
		    "改名，没有复制") : TR("copied, then unlinked",
		    "复制后再 unlink"), (unsigned long)st.st_ino,
		    (unsigned long)st2.st_ino);
	case 32:        /* shutil.rmtree('a2') */
	case 33:        /* shutil.rmtree('a') */
		return rmtree(fs, line == 32 ? "a2" : "a");
	}
	return 0;
}

/* ---- The tree actor ------------------------------------------------------- */

/* Line n of the code without its comment: the call the step makes. */
static void
code_call(int n, char *buf, size_t size)
{
	const char *s = fs_code;
	for (int i = 1; i < n; i++)
		s = strchr(s, '\n') + 1;
	size_t len = strcspn(s, "\n");
	const char *hash = strstr(s, " #");
	if (hash && (size_t)(hash - s) < len)
		len = (size_t)(hash - s);
	while (len > 0 && s[len - 1] == ' ')
		len--;
	snprintf(buf, size, "%.*s", (int)len, s);
}

struct tally {
	int entries;
	long long bytes;
};

static int
by_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Print the entries of the directory open at dfd, sorted by name and
 * indented by depth, each directory followed by its own entries. */
static void
walk(int dfd, int depth, struct tally *t)
{
	name_t names[MAX_NAMES];
	char *sorted[MAX_NAMES], label[NAME_MAX + 2], mode[11];
	struct stat st;
	int n = read_names(dfd, names);
	for (int i = 0; i < n; i++)
		sorted[i] = names[i];
	qsort(sorted, n > 0 ? (size_t)n : 0, sizeof *sorted, by_name);
	for (int i = 0; i < n; i++) {
		if (fstatat(dfd, sorted[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		t->entries++;
		filemode(st.st_mode, mode);
		snprintf(label, sizeof label, "%s%s", sorted[i], S_ISDIR(st.st_mode) ? "/" : "");
		printf("%*s%-*s %s", 2 * depth + 2, "", 18 - 2 * depth, label, mode);
		if (!S_ISDIR(st.st_mode)) {
			printf(" %5lld B\n", (long long)st.st_size);
			t->bytes += st.st_size;
			continue;
		}
		printf("\n");
		int fd = openat(dfd, sorted[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && depth < 8)
			walk(fd, depth + 1, t);
		if (fd >= 0)
			close(fd);
	}
}

static void
draw(struct fs *fs, int line, const char *call)
{
	char name[64];
	struct tally t = { 0, 0 };
	int fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	printf(TR("after %s:\n./\n", "%s 之后：\n./\n"), call);
	if (fd >= 0) {
		walk(fd, 0, &t);
		close(fd);
	}
	if (t.entries == 0)
		printf("%s", TR("  (empty)\n", "  （空）\n"));
	printf(TR("%d entries, %lld bytes\n",
	    "%d 项，%lld 字节\n"), t.entries, t.bytes);
	snprintf(name, sizeof name, "entries_%s", fs_labels[line]);
	fs->api->figure(fs->me, name, t.entries);
	fflush(stdout);
}

/* Draw, answer, wait for the number of the line just done; end at end
 * of file. */
static void __attribute__((noreturn))
tree_actor(struct fs *fs, int go_rd, int done_wr)
{
	unsigned char line = 0;
	char call[128];
	snprintf(call, sizeof call, "%s", TR("start (the scratch directory, "
	    "empty)", "开始（临时目录，空的）"));
	fs->me = fs->api->to_pane(fs->ctx, 1, "tree");
	trace_on = 0;           /* the tree actor's calls are not the lesson's */
	do {
		draw(fs, line, call);
		if (write(done_wr, "k", 1) != 1 || read(go_rd, &line, 1) != 1)
			break;
		code_call(line <= FS_LINES ? line : 1, call, sizeof call);
	} while (line <= FS_LINES);
	_exit(0);
}

/* ---- The os actor ---------------------------------------------------------- */

/* Wait until the tree actor has drawn. */
static int
tree_drawn(struct fs *fs)
{
	char k;
	ssize_t n;
	while ((n = read(fs->done_rd, &k, 1)) < 0 && errno == EINTR)
		;
	return n == 1 ? 0 : -1;
}

static int
fs_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	struct fs fs = { .ctx = ctx, .api = api, .me = me };
	const char *scratch = api->scratch(ctx);
	zh = api->zh(ctx);
	int go[2], done[2], rc = 0, status = 0;

	if (chdir(scratch) < 0) {
		perror(scratch);
		return 1;
	}
	api->note(fs.me, TR("the os actor works in its scratch directory %s",
	    "os 角色在它的临时目录 %s 里工作"), scratch);
	if (getenv("FOO")) {
		unsetenv("FOO");
		api->note(fs.me, TR("FOO was set: unset for the demo",
		    "FOO 已经设置：为演示而清除"));
	}
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(done, O_CLOEXEC) < 0) {
		perror("pipe2");
		return 1;
	}
	fflush(stdout);
	pid_t tree = fork();
	if (tree < 0) {
		perror("fork");
		return 1;
	}
	if (tree == 0) {
		close(go[1]);
		close(done[0]);
		tree_actor(&fs, go[0], done[1]);
	}
	close(go[0]);
	close(done[1]);
	fs.go_wr = go[1];
	fs.done_rd = done[0];
	if (tree_drawn(&fs) < 0)
		rc = 1;
	for (unsigned char line = 1; rc == 0 && line <= FS_LINES; line++) {
		char call[128];
		code_call(line, call, sizeof call);
		api->step(fs.me, line);
		printf(">>> %s\n", call);
		if (fs_do(&fs, line) < 0) {
			printf("%s failed: %s\n", call, strerror(errno));
			rc = 1;
		}
		fflush(stdout);         /* then the tree actor draws */
		if (write(fs.go_wr, &line, 1) != 1 || tree_drawn(&fs) < 0) {
			printf(TR("the tree actor is gone\n",
			    "tree 角色已经不在了\n"));
			rc = 1;
		}
	}
	close(fs.go_wr);        /* end of file: the tree actor exits */
	close(fs.done_rd);
	char how[64];
	if (waitpid(tree, &status, 0) == tree)
		printf(TR("the tree actor %s\n",
		    "tree 角色%s\n"), demo_how_lang(status, zh, how, sizeof how));
	return rc;
}

static const char *const fs_panes[] = { "os", "tree", NULL };
static const char *const fs_panes_zh[] = { "os", "目录树", NULL };

static const struct systour_demo fs_tree_demo = {
	.name = "fs-tree",
	.title_en = "os, os.path and shutil, call by call, on a scratch tree",
	.title_zh = "os、os.path 与 shutil：在临时目录树上逐个调用",
	.code = fs_code,
	.panes = fs_panes,
	.panes_zh = fs_panes_zh,
	.run = fs_run,
};

static const struct systour_demo *const demos[] = { &fs_tree_demo, NULL };

const struct systour_lesson_module systour_lesson_module = {
	.abi = SYSTOUR_LESSON_ABI,
	.lesson = "02-filesystem",
	.demos = demos,
};
