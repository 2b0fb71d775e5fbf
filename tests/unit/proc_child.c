/*
 * proc_child.c - a helper program that test_proc.c starts through proc_spawn
 * to look at the child's side of things.
 *
 *   proc_child fds    print the numbers of the open file descriptors, one per
 *                     line, leaving out the one used to list them
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d) {
		perror("proc_child: cannot open '/proc/self/fd'");
		return 1;
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			printf("%s\n", e->d_name);
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "fds"))
		return list_fds();
	fprintf(stderr, "usage: proc_child fds\n");
	return 2;
}
