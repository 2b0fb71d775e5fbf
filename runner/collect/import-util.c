/*
 * import-util.c - what the importers (ctest.c, meson.c, automake.c) share:
 * finding their tool on PATH, writing a temporary helper file; see
 * collect.h.
 */
#include "collect.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

char *collect_which(const char *name)
{
	const char *path = getenv("PATH"), *p = path ? path : "/usr/bin:/bin";

	while (*p) {
		size_t len = strcspn(p, ":");
		char *file = xasprintf("%.*s/%s", (int)len, p, name);

		if (len && access(file, X_OK) == 0)
			return file;
		free(file);
		p += len + (p[len] == ':');
	}
	return NULL;
}

char *collect_temp_file(const char *stem, const char *text, int executable, struct strbuf *err)
{
	char *path = xasprintf("/tmp/balrun-%s.XXXXXX", stem);
	size_t len = strlen(text);
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len || (executable && fchmod(fd, 0755))) {
		strbuf_addf(err, "cannot write balrun's %s file in /tmp: %m", stem);
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}
