/*
 * proc-capture.c - run a helper command to its end and keep what it
 * printed (ctest --show-only, meson introspect); see proc.h.
 */
#include "proc.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Read what is there into sb (at most max bytes kept); 0 at EOF (fd closed), 1 otherwise. */
static int capture_drain(int *fd, struct strbuf *sb, size_t max)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read(*fd, buf, sizeof(buf));

		if (n > 0) {
			if (sb->len < max)
				strbuf_add(sb, buf, (size_t)n < max - sb->len ? (size_t)n : max - sb->len);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 1;
		close(*fd);
		*fd = -1;
		return 0;
	}
}

int proc_capture(const struct proc_opts *o, double timeout, struct strbuf *out, struct strbuf *errout,
		 int *status, char *err, size_t errlen)
{
	struct proc_opts po = *o;
	struct proc p;
	uint64_t deadline = now_ns() + (uint64_t)(timeout * 1e9);
	int timed_out = 0;

	po.in = PROC_IO_DEVNULL;
	po.out = PROC_IO_PIPE;
	po.err = PROC_IO_PIPE;
	po.new_pgroup = 1;
	if (proc_spawn(&p, &po, err, errlen))
		return -1;
	while (p.out >= 0 || p.err >= 0) {
		struct pollfd pfd[2];
		nfds_t n = 0;
		uint64_t now = now_ns();

		if (now >= deadline) {
			timed_out = 1;
			proc_kill(&p, SIGKILL);
			break;
		}
		if (p.out >= 0)
			pfd[n++] = (struct pollfd){ .fd = p.out, .events = POLLIN };
		if (p.err >= 0)
			pfd[n++] = (struct pollfd){ .fd = p.err, .events = POLLIN };
		if (poll(pfd, n, (int)((deadline - now) / 1000000u) + 1) < 0 && errno != EINTR)
			break;
		if (p.out >= 0)
			capture_drain(&p.out, out, PROC_CAPTURE_MAX);
		if (p.err >= 0)
			capture_drain(&p.err, errout, PROC_CAPTURE_MAX);
	}
	proc_close_fds(&p);
	if (proc_wait(&p, status, NULL, 0) != 1) {
		snprintf(err, errlen, "cannot wait for '%s': %s", o->file, strerror(errno));
		return -1;
	}
	if (timed_out) {
		snprintf(err, errlen, "'%s' did not finish within %g s", o->file, timeout);
		return -1;
	}
	return 0;
}
