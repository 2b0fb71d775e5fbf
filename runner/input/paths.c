/*
 * paths.c - find balrun's helper programs, check output paths; see paths.h.
 */
#include "paths.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
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

int paths_check_writable(const char *path, struct strbuf *why)
{
	struct stat st;
	char *copy, *dir;
	int ret = 0;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			strbuf_adds(why, "it is a directory");
			return -1;
		}
		if (access(path, W_OK) < 0) {
			strbuf_adds(why, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT) {
		strbuf_adds(why, strerror(errno));
		return -1;
	}
	copy = xstrdup(path);
	dir = dirname(copy);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		strbuf_addf(why, "its directory '%s' does not exist", dir);
		ret = -1;
	} else if (access(dir, W_OK | X_OK) < 0) {
		strbuf_addf(why, "its directory '%s': %s", dir, strerror(errno));
		ret = -1;
	}
	free(copy);
	return ret;
}

int paths_check_outputs(const struct options *o, struct strbuf *err)
{
	const char *const flags[] = { "--json", "--junit", "--trace", "--timeline" };
	const char *const files[] = { o->json, o->junit, o->trace, o->timeline };
	const char *cache_dir = o->cache_dir;
	struct strbuf why = STRBUF_INIT;
	struct stat st;
	int ret = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && !ret; i++) {
		if (files[i] && paths_check_writable(files[i], &why)) {
			strbuf_addf(err, "%s: cannot write '%s': %s", flags[i], files[i], why.buf);
			ret = -1;
		}
	}
	if (ret) {
		/* reported */
	} else if (cache_dir && stat(cache_dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "--cache-dir: '%s' is not a directory", cache_dir);
		ret = -1;
	} else if (cache_dir && stat(cache_dir, &st) < 0 && paths_check_writable(cache_dir, &why)) {
		strbuf_addf(err, "--cache-dir: cannot make '%s': %s", cache_dir, why.buf);
		ret = -1;
	}
	strbuf_release(&why);
	return ret;
}
