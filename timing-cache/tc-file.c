/*
 * tc-file.c - file operations of the timing cache; see tc-file.h.
 *
 * The save protocol (Redis rdbSave, git lockfile): writers serialise on an
 * flock() of a separate lock file, so the data file itself is only ever
 * replaced by rename() of a complete, fsynced temp file from the same
 * directory.  Readers need no lock: they see the old file or the new one,
 * never a mixture.  The directory is fsynced after the rename so that the
 * new name survives a crash.
 */
#define _GNU_SOURCE
#include "tc-file.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static const struct {
	const char *name;
	enum tcfile_fault fault;
} tcfile_faults[] = {
	{ "lock", TCFILE_FAULT_LOCK },
	{ "write", TCFILE_FAULT_WRITE },
	{ "fsync", TCFILE_FAULT_FSYNC },
	{ "rename", TCFILE_FAULT_RENAME },
};

enum tcfile_fault tcfile_fault_from_env(void)
{
	const char *v = getenv("BALRUN_TCACHE_FAULT");
	for (size_t i = 0; v && i < ARRAY_SIZE(tcfile_faults); i++)
		if (!strcmp(v, tcfile_faults[i].name))
			return tcfile_faults[i].fault;
	return TCFILE_FAULT_NONE;
}

static int tcfile_fail(struct strbuf *err, const char *action, const char *path)
{
	strbuf_addf(err, "%s '%s': %s", action, path, strerror(errno));
	return -1;
}

int tcfile_read(const char *path, struct strbuf *out, struct stat *st, struct strbuf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	strbuf_reset(out);
	if (fd < 0)
		return errno == ENOENT ? 1 : tcfile_fail(err, "open", path);
	if (fstat(fd, st) < 0)
		goto fail;
	strbuf_grow(out, (size_t)st->st_size + 1);
	for (;;) {
		if (out->alloc - out->len < 4096)
			strbuf_grow(out, 65536);
		n = read_retry(fd, out->buf + out->len, out->alloc - out->len - 1);
		if (n < 0)
			goto fail;
		if (!n)
			break;
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
	}
	close(fd);
	return 0;
fail:
	tcfile_fail(err, "read", path);
	close(fd);
	return -1;
}

int tcfile_mkdirs(const char *dir, struct strbuf *err)
{
	return mkdirs(dir) ? tcfile_fail(err, "create directory", dir) : 0;
}

static void tcfile_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int tcfile_lock(const char *lock_path, unsigned timeout_ms, struct strbuf *err)
{
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000;
	unsigned pause_ms = 1;
	int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);

	if (fd < 0)
		return tcfile_fail(err, "open lock file", lock_path);
	/* Poll rather than block so that the wait is bounded without signals. */
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			tcfile_fail(err, "lock", lock_path);
			close(fd);
			return -1;
		}
		if (now_ns() >= deadline) {
			strbuf_addf(err, "lock '%s': gave up after %u s waiting for another balrun",
				    lock_path, timeout_ms / 1000);
			close(fd);
			return -1;
		}
		tcfile_sleep_ms(pause_ms);
		if (pause_ms < 50)
			pause_ms *= 2;
	}
	return fd;
}

void tcfile_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int tcfile_move_aside(const char *path, struct strbuf *backup, struct strbuf *err)
{
	long long now = (long long)wall_time_s();
	struct stat st;

	for (unsigned n = 1; n < 1000; n++) {
		strbuf_reset(backup);
		strbuf_addf(backup, "%s.bad-%lld", path, now);
		if (n > 1)
			strbuf_addf(backup, "-%u", n);
		if (lstat(backup->buf, &st) == 0)
			continue;
		if (rename(path, backup->buf) == 0)
			return 0;
		return tcfile_fail(err, "move aside", path);
	}
	strbuf_addf(err, "move aside '%s': too many backups named '%s'", path, backup->buf);
	return -1;
}

/* fsync a directory so a rename in it is durable; EINVAL: not supported there. */
static int tcfile_sync_dir(const char *dir, struct strbuf *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return tcfile_fail(err, "open directory", dir);
	if (fsync(fd) < 0 && errno != EINVAL && errno != EBADF) {
		tcfile_fail(err, "fsync directory", dir);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

struct tcfile_sink {
	int fd;
	enum tcfile_fault fault;
};

/* Write a piece to the new file; the write fault stops it half-way through its first piece. */
static int tcfile_put(void *data, const char *buf, size_t len)
{
	struct tcfile_sink *s = data;

	if (s->fault == TCFILE_FAULT_WRITE) {
		write_full(s->fd, buf, len / 2);   /* a half-written file */
		errno = ENOSPC;
		return -1;
	}
	return write_full(s->fd, buf, len);
}

int tcfile_replace(const char *dir, const char *path, tcfile_producer *produce, void *data,
		   enum tcfile_fault fault, struct strbuf *err)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	int ret = -1;

	if (fd < 0) {
		tcfile_fail(err, "create temporary file", tmp);
		free(tmp);
		return -1;
	}
	struct tcfile_sink sink = { fd, fault };

	if (produce(data, tcfile_put, &sink) < 0) {
		tcfile_fail(err, "write", tmp);
		goto fail;
	}
	if (fault == TCFILE_FAULT_FSYNC ? (errno = EIO, 1) : fsync(fd) < 0) {
		tcfile_fail(err, "fsync", tmp);
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		tcfile_fail(err, "close", tmp);
		goto fail;
	}
	fd = -1;
	if (fault == TCFILE_FAULT_RENAME ? (errno = EXDEV, 1) : rename(tmp, path) < 0) {
		strbuf_addf(err, "rename '%s' to '%s': %s", tmp, path, strerror(errno));
		goto fail;
	}
	ret = tcfile_sync_dir(dir, err);
	free(tmp);
	return ret;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}
