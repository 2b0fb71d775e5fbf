/*
 * config.c - read .balrun.conf with libgit2's config API; see config.h.
 *
 * libgit2 parses the file (sections, subsections, quoting, continuation
 * lines, repeated keys) and hands back entries named
 * "section[.subsection].key"; this file only checks each entry against
 * the table of known keys and turns it into options or markers.  libgit2 is
 * initialised only when there is a file to read (it costs ~5 ms).
 */
#define _GNU_SOURCE
#include "config.h"

#include <git2.h>
#include <glob.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config-framework.h"
#include "util.h"
#include "workers.h"

/* Split "section.sub.key" (subsection optional, may hold dots). */
struct config_name {
	char *section, *sub, *key;   /* sub is NULL without a subsection */
};

static void config_split(const char *name, struct config_name *n)
{
	const char *dot = strchr(name, '.'), *last = strrchr(name, '.');

	memset(n, 0, sizeof(*n));
	if (!dot) {
		n->section = xstrdup(name);
		n->key = xstrdup("");
		return;
	}
	n->section = xstrndup(name, (size_t)(dot - name));
	n->key = xstrdup(last + 1);
	if (last > dot)
		n->sub = xstrndup(dot + 1, (size_t)(last - dot - 1));
}

static void config_name_release(struct config_name *n)
{
	free(n->section);
	free(n->sub);
	free(n->key);
}

/* Call fn for every space-separated word of value.  Stops at the first -1. */
static int config_words(const char *value, int (*fn)(void *, const char *), void *data)
{
	const char *s = value;
	int ret = 0;

	while (!ret) {
		s += strspn(s, " \t");
		if (!*s)
			break;
		size_t n = strcspn(s, " \t");
		char *word = xstrndup(s, n);
		ret = fn(data, word);
		free(word);
		s += n;
	}
	return ret;
}

struct config_marker_ctx {
	struct config *c;
	struct marker_set *marks;
	enum marker_kind kind;
	const char *arg, *entry;
	struct strbuf *err;
};

static int config_add_marker(void *data, const char *pattern)
{
	struct config_marker_ctx *x = data;
	char *where = xasprintf("%s: %s = %s", x->c->display, x->entry, pattern);
	int ret = markers_add(x->marks, x->kind, x->arg, pattern, MARKER_FROM_CONFIG, -1, where, x->err);
	free(where);
	return ret;
}

static int config_add_glob(void *data, const char *glob)
{
	strvec_push(data, glob);
	return 0;
}

/* balrun.share-machine: git-config's booleans too (true: auto), else as --share-machine. */
static int config_share(const char *what, const char *value, int *out, struct strbuf *err)
{
	static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "off" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		if (!strcmp(value, yes[i]))
			return cli_parse_share(what, "auto", out, err);
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		if (!strcmp(value, no[i]))
			return cli_parse_share(what, "no", out, err);
	return cli_parse_share(what, value, out, err);
}

/* A [balrun] option.  0, or -1 with err. */
static int config_option(struct config *c, const char *name, const char *key, const char *value,
			 struct strbuf *err)
{
	struct strbuf what = STRBUF_INIT;
	int ret = 0;

	if (!strcmp(key, "workers")) {
		strbuf_addf(&what, "'%s': %s", c->display, name);
		ret = workers_parse(what.buf, value, &c->workers, err);
	} else if (!strcmp(key, "timeout")) {
		const char *why;
		ret = parse_seconds(value, &c->timeout, &why);
		if (ret)
			strbuf_addf(err, "'%s': %s: '%s' %s", c->display, name, value, why);
	} else if (!strcmp(key, "dist")) {
		ret = (c->dist = dist_parse(value)) > 0 ? 0 : -1;
		if (ret)
			strbuf_addf(err, "'%s': %s: '%s' is not one of case, group, binary", c->display,
				    name, value);
	} else if (!strcmp(key, "share-machine")) {
		strbuf_addf(&what, "'%s': %s", c->display, name);
		ret = config_share(what.buf, value, &c->share_machine, err);
	} else if (!strcmp(key, "binaries")) {
		config_words(value, config_add_glob, &c->binaries);
	} else {
		strbuf_addf(err, "'%s': unknown key '%s' (see docs/markers.md)", c->display, name);
		ret = -1;
	}
	strbuf_release(&what);
	return ret;
}

/* One entry of the file (at path).  0, or -1 with err. */
static int config_entry(struct config *c, const char *path, const git_config_entry *e,
			struct marker_set *marks, struct strbuf *err)
{
	struct config_file file = { path, c->display, c->dir };
	struct config_name n;
	int kind, ret = -1;

	config_split(e->name, &n);
	kind = marker_kind_parse(n.section);
	if (!e->value) {
		strbuf_addf(err, "'%s': '%s' has no value", c->display, e->name);
	} else if (!strcmp(n.section, "include") || !strcmp(n.section, "includeif")) {
		ret = 0;	/* libgit2 follows includes itself */
	} else if (!strcmp(n.section, "balrun") && !n.sub) {
		ret = config_option(c, e->name, n.key, e->value, err);
	} else if (!strcmp(n.section, "framework") && n.sub) {
		ret = config_framework_entry(&c->frameworks, &file, n.sub, n.key, e->value, err);
	} else if (kind < 0 || strcmp(n.key, "tests") || !n.sub != (kind == MARKER_SERIAL)) {
		strbuf_addf(err, "'%s': unknown key '%s' (see docs/markers.md)", c->display, e->name);
	} else {
		struct config_marker_ctx x = { c, marks, (enum marker_kind)kind, n.sub, e->name, err };
		ret = config_words(e->value, config_add_marker, &x);
	}
	config_name_release(&n);
	return ret;
}

static void config_git_error(struct strbuf *err, const char *display)
{
	const git_error *ge = git_error_last();
	strbuf_addf(err, "cannot read '%s': %s", display, ge && ge->message ? ge->message : "unknown error");
}

static int config_parse(struct config *c, const char *path, struct marker_set *marks, struct strbuf *err)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *e;
	int ret = -1, rc;

	if (git_config_open_ondisk(&cfg, path) || git_config_iterator_new(&it, cfg)) {
		config_git_error(err, c->display);
		goto out;
	}
	while ((rc = git_config_next(&e, it)) == 0)
		if (config_entry(c, path, e, marks, err))
			goto out;
	if (rc != GIT_ITEROVER) {
		config_git_error(err, c->display);
		goto out;
	}
	ret = config_frameworks_check(&c->frameworks, &(struct config_file){ path, c->display, c->dir },
				      err);
out:
	git_config_iterator_free(it);
	git_config_free(cfg);
	return ret;
}

int config_read(struct config *c, const char *path, const char *display, struct marker_set *marks,
		struct strbuf *err)
{
	char *abs = realpath(path, NULL);
	int ret;

	struct stat st;

	memset(c, 0, sizeof(*c));
	c->workers = -1;
	c->share_machine = -2;
	c->display = xstrdup(display);
	if (!abs || stat(abs, &st) < 0) {
		strbuf_addf(err, "cannot read '%s': %m", display);
		free(abs);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		/* a FIFO would block the run for ever; a directory is a mistake */
		strbuf_addf(err, "cannot read '%s': %s, not a regular file", display,
			    S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" :
			    "a special file");
		free(abs);
		return -1;
	}
	c->dir = xstrdup(dirname(abs));
	free(abs);
	git_libgit2_init();
	ret = config_parse(c, path, marks, err);
	git_libgit2_shutdown();
	return ret;
}

void config_release(struct config *c)
{
	free(c->display);
	free(c->dir);
	strvec_clear(&c->binaries);
	conf_frameworks_release(&c->frameworks);
	memset(c, 0, sizeof(*c));
}

static int config_is_test_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int config_binaries(const struct config *c, struct strvec *out, struct strbuf *err)
{
	for (size_t i = 0; i < c->binaries.nr; i++) {
		const char *g = c->binaries.v[i];
		char *full = g[0] == '/' ? xstrdup(g) : xasprintf("%s/%s", c->dir, g);
		glob_t gl;
		size_t found = 0;

		if (glob(full, 0, NULL, &gl) == 0) {
			for (size_t j = 0; j < gl.gl_pathc; j++) {
				if (config_is_test_file(gl.gl_pathv[j])) {
					strvec_push(out, gl.gl_pathv[j]);
					found++;
				}
			}
			globfree(&gl);
		}
		free(full);
		if (!found) {
			strbuf_addf(err, "'%s': balrun.binaries: '%s' matches no executable file "
				    "(are the tests built?)", c->display, g);
			return -1;
		}
	}
	return 0;
}

/* The file to read: --config FILE, else <root>/.balrun.conf if it exists; NULL for none. */
static char *config_path(const struct options *o, const struct repo_info *repo, char **display)
{
	char *path;

	if (o->config) {
		*display = xstrdup(o->config);
		return xstrdup(o->config);
	}
	if (o->no_config)
		return NULL;
	path = xasprintf("%s/%s", repo->root, CONFIG_FILE_NAME);
	if (access(path, F_OK) < 0) {
		free(path);
		return NULL;
	}
	*display = repo_relative(repo, path);
	return path;
}

/* Options the command line left unset come from the file. */
static int config_fill_options(struct options *o, const struct config *c, struct strvec *bins,
			       struct strbuf *err)
{
	o->config_workers = c->workers;	/* -n and BALRUN_WORKERS beat it: workers_resolve() */
	if (o->timeout == 0)
		o->timeout = c->timeout;
	if (!o->dist)
		o->dist = c->dist;
	if (!o->share_given && c->share_machine != -2)
		o->share_machine = c->share_machine;
	if (o->nbinaries || !c->binaries.nr)
		return 0;
	if (config_binaries(c, bins, err))
		return -1;
	o->binaries = bins->v;
	o->nbinaries = bins->nr;
	return 0;
}

int config_apply(struct options *o, const struct repo_info *repo, struct strvec *bins,
		 struct conf_frameworks *fw, struct marker_set *marks, struct strbuf *err)
{
	char *display = NULL, *path = config_path(o, repo, &display);
	struct config c;
	int ret = 0;

	if (path) {
		ret = config_read(&c, path, display, marks, err);
		if (!ret)
			ret = config_fill_options(o, &c, bins, err);
		if (!ret && fw) {
			*fw = c.frameworks;
			memset(&c.frameworks, 0, sizeof(c.frameworks));
		}
		config_release(&c);
	}
	/* marker_args holds (flag, value) pairs in command-line order */
	for (size_t i = 0; !ret && i + 1 < o->marker_args.nr; i += 2)
		ret = markers_add_cli(marks, o->marker_args.v[i], o->marker_args.v[i + 1], err);
	free(path);
	free(display);
	return ret;
}
