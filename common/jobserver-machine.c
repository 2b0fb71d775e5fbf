/*
 * jobserver-machine.c - the machine's budget shared by concurrent runs
 * (--share-machine): its directory, joining it, and the recount that gives
 * back the tokens of runs that died.  See jobserver-machine.h for the files
 * and the recovery rule.
 */
#define _GNU_SOURCE
#include "jobserver-machine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define MACHINE_TOKEN '+'
/* How long a run waits to join while another one holds the lock. */
#define MACHINE_JOIN_WAIT_MS 5000

int jobserver_machine_dir(struct strbuf *dir, struct strbuf *err)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (xdg && xdg[0] == '/')
		strbuf_addf(dir, "%s/balrun", xdg);
	else
		strbuf_addf(dir, "/tmp/balrun-%u", (unsigned)getuid());
	if (mkdir(dir->buf, 0700) < 0 && errno != EEXIST) {
		strbuf_addf(err, "cannot create '%s': %s", dir->buf, strerror(errno));
		return -1;
	}
	if (lstat(dir->buf, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 077)) {
		strbuf_addf(err, "cannot use '%s': not a directory that only this user may use (mode "
			    "0700)", dir->buf);
		return -1;
	}
	return 0;
}

/* The count a ledger holds (0 when unreadable: a run that has just created it). */
static size_t ledger_read(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (size_t)strtoul(buf, NULL, 10);
}

/*
 * Under the exclusive lock: remove the ledgers of dead runs; *live the runs
 * alive (this one too, once it has its ledger), and the tokens they hold.
 */
static size_t scan_ledgers(const char *dir, size_t *live)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t held = 0;

	*live = 0;
	while (d && (e = readdir(d))) {
		char *path;
		int fd;

		if (!starts_with(e->d_name, "run."))
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) {
			unlink(path);	/* nobody holds it: its run is gone, and its tokens with it */
		} else if (fd >= 0) {
			held += ledger_read(fd);
			(*live)++;
		}
		if (fd >= 0)
			close(fd);
		free(path);
	}
	if (d)
		closedir(d);
	return held;
}

/* Write n tokens into the budget's FIFO; how many went in. */
static unsigned make_tokens(struct jobserver *js, size_t n)
{
	unsigned made = 0;
	char c = MACHINE_TOKEN;

	while (made < n && write(js->wfd, &c, 1) == 1)
		made++;
	return made;
}

/* Under the exclusive lock: bring the tokens in existence back to js->size (jobserver-machine.h). */
static int recount_locked(struct jobserver *js)
{
	size_t live, have;
	int in_fifo = 0;
	char c;

	if (ioctl(js->rfd, FIONREAD, &in_fifo) < 0)
		return 0;
	have = (size_t)in_fifo + scan_ledgers(js->dir, &live);
	if (have < js->size)
		return (int)make_tokens(js, js->size - have);
	for (; have > js->size && in_fifo > 0; have--, in_fifo--)
		if (read(js->rfd, &c, 1) != 1)
			break;
	return 0;
}

int jobserver_machine_recount(struct jobserver *js)
{
	int made;

	if (!js->dir || flock(js->lock_fd, LOCK_EX | LOCK_NB) < 0)
		return -1;
	made = recount_locked(js);
	flock(js->lock_fd, LOCK_UN);
	return made;
}

/* The exclusive lock, waiting at most MACHINE_JOIN_WAIT_MS (a run stopped with its lock taken).  0 or -1. */
static int lock_to_join(int fd)
{
	struct timespec tick = { 0, 10 * 1000000L };

	for (int waited = 0; waited < MACHINE_JOIN_WAIT_MS; waited += 10) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		nanosleep(&tick, NULL);
	}
	errno = EWOULDBLOCK;
	return -1;
}

/* The budget the runs share: ours when no other run is there (written down), else theirs. */
static unsigned agree_budget(const char *dir, unsigned budget, size_t others, struct strbuf *warn)
{
	char *path = xasprintf("%s/budget", dir);
	unsigned theirs = 0;
	FILE *f;

	if (others && (f = fopen(path, "r"))) {
		if (fscanf(f, "%u", &theirs) != 1)
			theirs = 0;
		fclose(f);
	}
	if (others && theirs) {
		if (theirs != budget)
			strbuf_addf(warn, "the machine's budget is %u (set by a run still going), "
				    "not %u\n", theirs, budget);
		free(path);
		return theirs;
	}
	if ((f = fopen(path, "w"))) {
		fprintf(f, "%u\n", budget);
		fclose(f);
	}
	free(path);
	return budget;
}

/* Under the exclusive lock: this run's ledger, locked for as long as it lives.  0 or -1. */
static int open_ledger(struct jobserver *js)
{
	js->ledger = xasprintf("%s/run.%ld.XXXXXX", js->dir, (long)getpid());
	js->ledger_fd = mkostemp(js->ledger, O_CLOEXEC);
	if (js->ledger_fd < 0 || flock(js->ledger_fd, LOCK_EX | LOCK_NB) < 0 ||
	    pwrite(js->ledger_fd, "         0\n", 11, 0) != 11)
		return -1;
	return 0;
}

/* Under the exclusive lock: the FIFO, its budget and this run's ledger.  0, or -1 with err. */
static int join_locked(struct jobserver *js, unsigned budget, struct strbuf *warn, struct strbuf *err)
{
	char *fifo = xasprintf("%s/jobserver.fifo", js->dir);
	size_t others;
	int ret = -1;

	if ((mkfifo(fifo, 0600) < 0 && errno != EEXIST) || jobserver_open_fifo(js, fifo) < 0) {
		strbuf_addf(err, "cannot open '%s': %s", fifo, errno == ENOTSUP ? "not a FIFO" :
			    strerror(errno));
		goto out;
	}
	scan_ledgers(js->dir, &others);
	js->size = agree_budget(js->dir, budget, others, warn);
	if (open_ledger(js)) {
		strbuf_addf(err, "cannot create '%s': %s", js->ledger, strerror(errno));
		goto out;
	}
	recount_locked(js);
	ret = 0;
out:
	free(fifo);
	return ret;
}

int jobserver_machine_join(struct jobserver *js, const char *dir, unsigned budget, struct strbuf *warn,
			   struct strbuf *err)
{
	char *lock = xasprintf("%s/jobserver.lock", dir);
	int ret = -1;

	js->implicit = 0;
	js->dir = xstrdup(dir);
	js->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (js->lock_fd < 0 || lock_to_join(js->lock_fd) < 0) {
		strbuf_addf(err, "cannot lock '%s': %s", lock, errno == EWOULDBLOCK ?
			    "another run keeps it locked" : strerror(errno));
		goto out;
	}
	ret = join_locked(js, budget, warn, err);
	flock(js->lock_fd, LOCK_UN);
	if (!ret)
		js->name = xasprintf("the machine's budget of %u ('%s')", js->size, dir);
out:
	free(lock);
	return ret;
}
