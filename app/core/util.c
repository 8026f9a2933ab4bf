/* util.c — allocation wrappers, formatted strings, files and paths. */
#include "util.h"
#include "buf.h"
#include "lang.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
oom(void)
{
	const char *msg = LD("systour: out of memory\n", "systour：内存不足\n");
	if (write(STDERR_FILENO, msg, strlen(msg)) < 0) {
		/* nothing else to do */
	}
	abort();
}

/* "systour: MESSAGE\n" on stderr: the one-line error of warnx_ and fatal_. */
static void
vwarnx(const char *fmt, va_list ap)
{
	fputs("systour: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
fatal_(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > (size_t)-1 / size)
		oom();
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void
warnx_(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
}

char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	struct buf b = BUF_INIT;
	for (;;) {
		/* read straight into the room reserved after len */
		buf_reserve(&b, 4096);
		size_t got = fread(b.data + b.len, 1, b.cap - b.len - 1, f);
		b.len += got;
		b.data[b.len] = '\0';
		if (got == 0)
			break;
	}
	int err = ferror(f) ? errno : 0;
	fclose(f);
	if (err) {
		buf_free(&b);
		errno = err;
		return NULL;
	}
	return buf_detach(&b, len);
}

int
mkdir_p(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, 0700) == -1 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

char *
data_dir(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	if (xdg && *xdg == '/')
		return xasprintf("%s/systour", xdg);
	const char *home = getenv("HOME");
	return xasprintf("%s/.local/share/systour", home && *home ? home : ".");
}

long long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
