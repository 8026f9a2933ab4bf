/*
 * 任务：./prog DIR 打印 "<N> files, <B> bytes"：N 是 DIR 之下（递归进入所有子目录）
 *       普通文件的个数，B 是它们 st_size 的总和。用 lstat：符号链接本身不是
 *       普通文件，也不要跟随它（指向大文件或目录的链接都不计）。跳过 "." 和 ".."。
 * Task: ./prog DIR prints "<N> files, <B> bytes": N is the number of regular
 *       files under DIR (descending into every subdirectory) and B the sum of
 *       their st_size. Use lstat: a symbolic link is not a regular file and is
 *       not followed (a link to a big file or to a directory counts nothing).
 *       Skip "." and "..".
 */
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	DIR *d = opendir(argv[1]);
	if (d == NULL) {
		perror(argv[1]);
		return 1;
	}
	long files = 0, bytes = 0;
	struct dirent *e;
	char path[4096];
	while ((e = readdir(d)) != NULL) {            /* the first level only */
		snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {   /* stat follows links */
			files++;
			bytes += st.st_size;
		}
	}
	closedir(d);
	printf("%ld files, %ld bytes\n", files, bytes);
	return 0;
}
