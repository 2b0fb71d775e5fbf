/*
 * jobserver-count - print how many tokens the jobserver that MAKEFLAGS
 * names holds right now, taking none: FIONREAD on its read descriptor (or
 * on its FIFO), so make and its other clients see nothing of it.  Run from
 * a make rule marked with '+' after balrun, it tells the e2e tests
 * (test_e2e_jobserver.c) whether balrun gave every token back.  Prints -1
 * when MAKEFLAGS names no jobserver it can reach.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "jobserver.h"

int main(void)
{
	struct jobserver_auth a;
	int fd = -1, n = -1;

	if (jobserver_parse_makeflags(getenv("MAKEFLAGS"), &a))
		fd = a.fifo ? open(a.fifo, O_RDONLY | O_NONBLOCK) : a.rfd;
	if (fd < 0 || ioctl(fd, FIONREAD, &n) < 0)
		n = -1;
	printf("%d\n", n);
	jobserver_auth_release(&a);
	return n < 0;
}
