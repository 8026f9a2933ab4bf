/* Solution: filesystem/03-tree-size. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static long files, bytes;

static int walk(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		perror(dir);
		return -1;
	}
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(path, &st) < 0) {
			perror(path);
			rc = -1;
			continue;
		}
		if (S_ISREG(st.st_mode)) {
			files++;
			bytes += st.st_size;
		} else if (S_ISDIR(st.st_mode) && walk(path) < 0) {
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	int rc = walk(argv[1]);
	printf("%ld files, %ld bytes\n", files, bytes);
	return rc < 0;
}
