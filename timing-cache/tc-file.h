/*
 * tc-file.h - the file operations of the timing cache (internal to
 * timing-cache/): read a file whole, create the directory, hold the writers'
 * lock, move a damaged file aside, and replace a file atomically.
 *
 * Every function returns 0 on success and -1 with a one-line message naming
 * the file in err (appended) on failure; none leaves a file descriptor open
 * on failure.
 */
#ifndef BALRUN_TC_FILE_H
#define BALRUN_TC_FILE_H

#include <sys/stat.h>

#include "strbuf.h"

/* How long a writer waits for another one before giving up. */
#define TCFILE_LOCK_TIMEOUT_MS 30000

/*
 * A step of tc_save that tests can make fail, chosen by the environment
 * variable BALRUN_TCACHE_FAULT = lock | write | fsync | rename (read once per
 * save).  "lock" makes the lock wait give up at once if the lock is held.
 */
enum tcfile_fault {
	TCFILE_FAULT_NONE = 0,
	TCFILE_FAULT_LOCK,
	TCFILE_FAULT_WRITE,
	TCFILE_FAULT_FSYNC,
	TCFILE_FAULT_RENAME,
};
enum tcfile_fault tcfile_fault_from_env(void);

/*
 * Read the whole file at path into out (reset first) and its identity into
 * *st.  Returns 0, 1 if the file does not exist, or -1 (err).
 */
int tcfile_read(const char *path, struct strbuf *out, struct stat *st, struct strbuf *err);

/* Create dir and any missing parents (mode 0777 less the umask). */
int tcfile_mkdirs(const char *dir, struct strbuf *err);

/*
 * Take the exclusive flock() on lock_path (created if missing), waiting up
 * to timeout_ms.  Returns the descriptor that holds it, or -1 (err).
 * tcfile_unlock releases it by closing the descriptor.
 */
int tcfile_lock(const char *lock_path, unsigned timeout_ms, struct strbuf *err);
void tcfile_unlock(int fd);

/*
 * Rename path to "<path>.bad-<now>" (or "...-2", "...-3" if taken), storing
 * the new name in backup.  The caller holds the lock.
 */
int tcfile_move_aside(const char *path, struct strbuf *backup, struct strbuf *err);

/*
 * Where a new file's content goes: produce(data, put, sink) calls
 * put(sink, buf, len) for each piece in order; put returns 0, or -1 with
 * errno (then produce returns -1 at once).
 */
typedef int tcfile_producer(void *data, int (*put)(void *sink, const char *buf, size_t len), void *sink);

/*
 * Replace path (in directory dir) with what produce writes: write
 * "<path>.tmp.<pid>", fsync, close, rename over path, fsync dir.  On
 * failure the temp file is removed and path is left as it was.  The caller
 * holds the lock.
 */
int tcfile_replace(const char *dir, const char *path, tcfile_producer *produce, void *data,
		   enum tcfile_fault fault, struct strbuf *err);

#endif
