/* store_path.c — checking a progress database path the learner named with
 * --db before the store opens it: the store creates missing folders and
 * moves a file that is not a database aside, which is right for its own
 * default file but not for a file of the learner's. */
#include "lang.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The first 16 bytes of every SQLite 3 database. */
static const char sqlite_magic[16] = "SQLite format 3";

int
store_check_path(const char *path, char **cause)
{
	const char	*slash = strrchr(path, '/');
	struct stat	 sb;
	char		 head[sizeof sqlite_magic];
	ssize_t		 n;
	int		 fd;

	if (slash != NULL && slash != path) {
		char *dir = xstrndup(path, slash - path);
		if (stat(dir, &sb) == -1 && errno == ENOENT) {
			*cause = xasprintf(LD(
			    "--db %s: the folder %s does not exist (create it "
			    "first)", "--db %s：文件夹 %s 不存在（请先创建）"),
			    path, dir);
			free(dir);
			return -1;
		}
		free(dir);
	}
	if (stat(path, &sb) == -1 || !S_ISREG(sb.st_mode) || sb.st_size == 0)
		return 0;	/* new, or not a file: store_open() says */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;	/* unreadable: store_open() says */
	n = read(fd, head, sizeof head);
	close(fd);
	if (n == (ssize_t)sizeof head &&
	    memcmp(head, sqlite_magic, sizeof head) == 0)
		return 0;
	*cause = xasprintf(LD(
	    "--db %s: not an SQLite database; leaving the file alone",
	    "--db %s：不是 SQLite 数据库；不动这个文件"), path);
	return -1;
}
