/*
 * paths.c - find balrun's helper programs; see paths.h.
 */
#include "paths.h"

#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

char *paths_helper(const char *name, struct strbuf *err)
{
	static const char *const subdirs[] = { "", "/../lib/balrun", "/../libexec/balrun" };
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0) {
		strbuf_addf(err, "cannot find balrun's own path to locate '%s'", name);
		return NULL;
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
		char *p = xasprintf("%s%s/%s", self, subdirs[i], name);
		char *real = realpath(p, NULL);
		free(p);
		if (real && access(real, R_OK) == 0)
			return real;
		free(real);
	}
	strbuf_addf(err, "cannot find '%s' beside '%s' (is balrun installed completely?)", name, self);
	return NULL;
}
