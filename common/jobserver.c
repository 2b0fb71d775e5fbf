/*
 * jobserver.c - a client of GNU make's jobserver; see jobserver.h for the
 * protocol, the forms MAKEFLAGS gives, and why tokens are read through a
 * description of our own (/proc/self/fd) rather than make's descriptor.
 */
#define _GNU_SOURCE
#include "jobserver.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

void jobserver_init(struct jobserver *js)
{
	*js = (struct jobserver)JOBSERVER_INIT;
}

/*
 * Jobservers holding tokens, for the exit handler: die() exits from
 * anywhere (out of memory), and their tokens must go back all the same, as
 * git's tempfile.c removes its files at exit.  Only in the process that
 * took them.
 */
static struct jobserver *at_exit[8];
static pid_t at_exit_pid;

static void give_back_at_exit(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(at_exit); i++)
		if (at_exit[i] && getpid() == at_exit_pid)
			jobserver_close(at_exit[i]);
}

static void watch(struct jobserver *js, int on)
{
	static int registered;

	if (!registered && on) {
		atexit(give_back_at_exit);
		registered = 1;
		at_exit_pid = getpid();
	}
	for (size_t i = 0; i < ARRAY_SIZE(at_exit); i++) {
		if (on ? !at_exit[i] : at_exit[i] == js) {
			at_exit[i] = on ? js : NULL;
			return;
		}
	}
}

/* "R,W" with both >= 0 into a; 0, or -1 (malformed or disabled: negative). */
static int parse_fds(const char *s, struct jobserver_auth *a)
{
	char *end;
	long r, w;

	errno = 0;
	r = strtol(s, &end, 10);
	if (end == s || *end != ',')
		return -1;
	s = end + 1;
	w = strtol(s, &end, 10);
	if (end == s || *end || errno || r < 0 || w < 0 || r > 1 << 20 || w > 1 << 20)
		return -1;
	a->rfd = (int)r;
	a->wfd = (int)w;
	return 0;
}

/* One word of MAKEFLAGS: -jN, or a jobserver option (the last one counts). */
static void parse_word(const char *w, struct jobserver_auth *a)
{
	const char *v = NULL;

	if (starts_with(w, "-j") && w[2] >= '1' && w[2] <= '9')
		a->jobs = (unsigned)strtoul(w + 2, NULL, 10);
	else if (starts_with(w, "--jobserver-auth="))
		v = w + strlen("--jobserver-auth=");
	else if (starts_with(w, "--jobserver-fds="))
		v = w + strlen("--jobserver-fds=");
	if (!v)
		return;
	free(a->fifo);
	free(a->text);
	a->fifo = NULL;
	a->rfd = a->wfd = -1;
	a->text = xstrdup(w);
	if (starts_with(v, "fifo:") && v[5])
		a->fifo = xstrdup(v + 5);
	else
		parse_fds(v, a);
}

int jobserver_parse_makeflags(const char *makeflags, struct jobserver_auth *a)
{
	const char *s = makeflags ? makeflags : "";

	memset(a, 0, sizeof(*a));
	a->rfd = a->wfd = -1;
	for (;;) {
		size_t n;
		char *word;

		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		if (!n)
			break;
		word = xstrndup(s, n);
		s += n;
		if (!strcmp(word, "--")) {	/* variable definitions follow */
			free(word);
			break;
		}
		parse_word(word, a);
		free(word);
	}
	return a->fifo || a->rfd >= 0;
}

void jobserver_auth_release(struct jobserver_auth *a)
{
	free(a->fifo);
	free(a->text);
	memset(a, 0, sizeof(*a));
	a->rfd = a->wfd = -1;
}

/* Both ends of one pipe, open here, the first readable and the second writable?  0, or -1 with why. */
static int check_fds(int r, int w, struct strbuf *why)
{
	int rfl = fcntl(r, F_GETFL), wfl = fcntl(w, F_GETFL);
	struct stat a, b;

	if (rfl < 0 || wfl < 0) {
		strbuf_addf(why, "descriptors %d and %d are not open here", r, w);
		return -1;
	}
	if (fstat(r, &a) || fstat(w, &b) || !S_ISFIFO(a.st_mode) || a.st_ino != b.st_ino ||
	    a.st_dev != b.st_dev || (rfl & O_ACCMODE) == O_WRONLY || (wfl & O_ACCMODE) == O_RDONLY) {
		strbuf_addf(why, "descriptors %d and %d are not the two ends of one pipe here", r, w);
		return -1;
	}
	return 0;
}

/* A new description of what fd refers to, non-blocking and close-on-exec; -1 without /proc. */
static int reopen(int fd, int mode)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, mode | O_NONBLOCK | O_CLOEXEC);
}

/* Our own descriptors of make's pipe R,W (see jobserver.h).  0, or -1 with why. */
static int open_fds(struct jobserver *js, int r, int w, struct strbuf *why)
{
	if (check_fds(r, w, why))
		return -1;
	js->rfd = reopen(r, O_RDONLY);
	js->wfd = js->rfd >= 0 ? reopen(w, O_WRONLY) : -1;
	if (js->wfd >= 0)
		return 0;
	if (js->rfd >= 0)
		close(js->rfd);
	js->rfd = -1;
	if (!(fcntl(r, F_GETFL) & O_NONBLOCK)) {
		strbuf_addf(why, "descriptor %d blocks, and /proc/self/fd cannot give balrun a "
			    "non-blocking description of its own", r);
		return -1;
	}
	/* already non-blocking (make 4.3 sets it so): share make's description as it is */
	js->rfd = fcntl(r, F_DUPFD_CLOEXEC, 3);
	js->wfd = fcntl(w, F_DUPFD_CLOEXEC, 3);
	if (js->rfd >= 0 && js->wfd >= 0)
		return 0;
	strbuf_addf(why, "cannot duplicate descriptors %d and %d: %s", r, w, strerror(errno));
	if (js->rfd >= 0)
		close(js->rfd);
	if (js->wfd >= 0)
		close(js->wfd);
	js->rfd = js->wfd = -1;
	return -1;
}

int jobserver_open_fifo(struct jobserver *js, const char *path)
{
	struct stat st;

	/* the reader first: a writer's non-blocking open fails while a FIFO has no reader */
	js->rfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (js->rfd < 0)
		return -1;
	if (fstat(js->rfd, &st) || !S_ISFIFO(st.st_mode)) {
		close(js->rfd);
		js->rfd = -1;
		errno = ENOTSUP;
		return -1;
	}
	js->wfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (js->wfd >= 0)
		return 0;
	close(js->rfd);
	js->rfd = -1;
	return -1;
}

enum jobserver_status jobserver_from_make(struct jobserver *js, const char *makeflags,
					  struct strbuf *why)
{
	struct jobserver_auth a;
	int ok;

	if (!jobserver_parse_makeflags(makeflags, &a)) {
		jobserver_auth_release(&a);
		return JOBSERVER_NONE;
	}
	js->implicit = 1;
	if (a.fifo) {
		ok = jobserver_open_fifo(js, a.fifo) == 0;
		if (!ok)
			strbuf_addf(why, "cannot open '%s': %s", a.fifo,
				    errno == ENOTSUP ? "not a FIFO" : strerror(errno));
	} else {
		ok = open_fds(js, a.rfd, a.wfd, why) == 0;
	}
	js->size = ok ? a.jobs : 1;
	js->name = a.jobs ? xasprintf("make's jobserver (-j%u %s)", a.jobs, a.text) :
			    xasprintf("make's jobserver (%s)", a.text);
	jobserver_auth_release(&a);
	return ok ? JOBSERVER_OK : JOBSERVER_UNAVAILABLE;
}

/* The machine's budget keeps the count of tokens this run holds in its ledger (jobserver-machine.h). */
static void ledger_update(const struct jobserver *js)
{
	char line[32];
	int n;

	if (js->ledger_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%10zu\n", js->nheld);
	if (pwrite(js->ledger_fd, line, (size_t)n, 0) != n) {
		/* a full disk: the budget may count this run's tokens wrong until it ends */
	}
}

/* The budget's lock, around each token move (jobserver-machine.h); blocking or not. */
static int lock_moves(const struct jobserver *js, int wait)
{
	int rc;

	if (js->lock_fd < 0)
		return 0;
	do
		rc = flock(js->lock_fd, LOCK_SH | (wait ? 0 : LOCK_NB));
	while (rc < 0 && errno == EINTR);
	return rc;
}

static void unlock_moves(const struct jobserver *js)
{
	if (js->lock_fd >= 0)
		flock(js->lock_fd, LOCK_UN);
}

int jobserver_take(struct jobserver *js)
{
	ssize_t n;
	char c;
	int e;

	if (js->rfd < 0)
		return 0;
	js->contended = lock_moves(js, 0) < 0;
	if (js->contended)
		return errno == EWOULDBLOCK ? 0 : -1;	/* a recount is under way: later */
	n = read_retry(js->rfd, &c, 1);
	e = errno;
	if (n == 1) {
		if (!js->held)
			watch(js, 1);	/* its first token: given back at exit if need be */
		ALLOC_GROW(js->held, js->nheld + 1, js->held_alloc);
		js->held[js->nheld++] = c;
		ledger_update(js);
	}
	unlock_moves(js);
	if (n == 1)
		return 1;
	if (n < 0 && e == EAGAIN)
		return 0;
	errno = n == 0 ? EPIPE : e;	/* end of file: no writer is left */
	return -1;
}

/* Write one byte to a non-blocking pipe with room (a full jobserver pipe would be a broken one). */
static int write_token(int fd, char c)
{
	for (int tries = 0; tries < 50; tries++) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		ssize_t n = write(fd, &c, 1);

		if (n == 1)
			return 0;
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -1;
		if (n < 0 && errno == EAGAIN)
			poll(&p, 1, 100);
	}
	errno = EAGAIN;
	return -1;
}

int jobserver_give(struct jobserver *js)
{
	int ret, e;

	if (!js->nheld)
		return 0;
	lock_moves(js, 1);
	ret = write_token(js->wfd, js->held[js->nheld - 1]);
	e = errno;
	js->nheld--;		/* given back, or lost: either way no longer ours */
	ledger_update(js);
	unlock_moves(js);
	errno = e;
	return ret;
}

void jobserver_give_all(struct jobserver *js)
{
	while (js->nheld)
		jobserver_give(js);
}

unsigned jobserver_slots(const struct jobserver *js)
{
	return js->implicit + (unsigned)js->nheld;
}

int jobserver_poll_fd(const struct jobserver *js)
{
	return js->contended ? -1 : js->rfd;
}

void jobserver_close(struct jobserver *js)
{
	jobserver_give_all(js);
	if (js->ledger) {
		lock_moves(js, 1);	/* no recount sees the ledger half gone */
		unlink(js->ledger);
		unlock_moves(js);
	}
	if (js->ledger_fd >= 0)
		close(js->ledger_fd);
	if (js->lock_fd >= 0)
		close(js->lock_fd);
	if (js->rfd >= 0)
		close(js->rfd);
	if (js->wfd >= 0)
		close(js->wfd);
	if (js->held)
		watch(js, 0);
	free(js->held);
	free(js->name);
	free(js->dir);
	free(js->ledger);
	jobserver_init(js);
}
