/*
 * config-framework.c - reading the [framework "NAME"] sections of
 * .balrun.conf; see config-framework.h.
 *
 * Commands are split into words and their placeholders checked as they are
 * read; their program (the first word) is made absolute then (a relative
 * path starts at the file's directory, a bare name is looked up on PATH),
 * so that the worker runs what the file meant wherever it stands.  What a
 * section needs as a whole (every key, {junit} with junit results only) is
 * checked at the end, config_frameworks_check().
 */
#define _GNU_SOURCE
#include "config-framework.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/*
 * The line of the file where section [framework "sub"] has key (its header
 * when key is NULL), or 0 if not found: a best effort on git-config syntax
 * (the first such line; included files are not searched).
 */
static unsigned config_line_of(const char *path, const char *sub, const char *key)
{
	FILE *fp = fopen(path, "r");
	size_t cap = 0, klen = key ? strlen(key) : 0, slen = strlen(sub);
	unsigned no = 0, found = 0;
	char *line = NULL;
	int inside = 0;

	while (fp && !found && getline(&line, &cap, fp) > 0) {
		const char *s = line + strspn(line, " \t");

		no++;
		if (*s == '[') {
			s += 1 + strspn(s + 1, " \t");
			inside = !strncasecmp(s, "framework", 9);
			s += 9 + strspn(s + 9, " \t");
			inside = inside && s[0] == '"' && !strncmp(s + 1, sub, slen) && s[1 + slen] == '"';
			if (inside && !key)
				found = no;
		} else if (inside && key && !strncasecmp(s, key, klen) &&
			   (s[klen] == '=' || s[klen] == ' ' || s[klen] == '\t')) {
			found = no;
		}
	}
	if (fp)
		fclose(fp);
	free(line);
	return found;
}

/* "'.balrun.conf' line 6: framework.acme.run" (or without the line). */
static char *config_where(const struct config_file *f, const char *sub, const char *key)
{
	unsigned line = config_line_of(f->path, sub, key);
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "'%s'", f->display);
	if (line)
		strbuf_addf(&sb, " line %u", line);
	if (key)
		strbuf_addf(&sb, ": framework.%s.%s", sub, key);
	else
		strbuf_addf(&sb, ": [framework \"%s\"]", sub);
	return strbuf_detach(&sb, NULL);
}

static struct conf_framework *config_framework_get(struct conf_frameworks *fw, const char *sub)
{
	for (size_t i = 0; i < fw->n; i++)
		if (!strcmp(fw->v[i].name, sub))
			return &fw->v[i];
	ALLOC_GROW(fw->v, fw->n + 1, fw->alloc);
	memset(&fw->v[fw->n], 0, sizeof(fw->v[fw->n]));
	fw->v[fw->n].name = xstrdup(sub);
	return &fw->v[fw->n++];
}

/* A bare program name on PATH, as an absolute path; NULL if found nowhere. */
static char *config_which(const char *name)
{
	const char *p = getenv("PATH");

	for (p = p ? p : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		char *file = xasprintf("%.*s/%s", (int)(n ? n : 1), n ? p : ".", name);

		if (access(file, X_OK) == 0)
			return file;
		free(file);
		p += n + (p[n] == ':');
	}
	return NULL;
}

/* A command's words into out, its program made absolute.  0, or -1 with why. */
static int config_command(const struct config_file *f, const char *value, struct strvec *out,
			  struct strbuf *why)
{
	unsigned used, nnames;
	char *prog;

	strvec_clear(out);
	if (conf_command_split(value, out, why) || conf_command_scan(out->v, out->nr, &used, &nnames, why))
		return -1;
	prog = out->v[0];
	if (strchr(prog, '{') || prog[0] == '/')
		return 0;
	if (strchr(prog, '/')) {
		out->v[0] = xasprintf("%s/%s", f->dir, prog);
	} else if (!(out->v[0] = config_which(prog))) {
		out->v[0] = prog;
		strbuf_addf(why, "'%s' is not found on PATH", prog);
		return -1;
	}
	free(prog);
	return 0;
}

static int config_add_glob(struct conf_framework *cf, const struct config_file *f, const char *value)
{
	for (const char *s = value + strspn(value, " \t"); *s; s += strspn(s, " \t")) {
		size_t n = strcspn(s, " \t");

		if (*s == '/')
			strvec_pushf(&cf->binaries, "%.*s", (int)n, s);
		else
			strvec_pushf(&cf->binaries, "%s/%.*s", f->dir, (int)n, s);
		s += n;
	}
	return 0;
}

int config_framework_entry(struct conf_frameworks *fw, const struct config_file *f, const char *sub,
			   const char *key, const char *value, struct strbuf *err)
{
	struct conf_framework *cf = config_framework_get(fw, sub);
	struct strbuf why = STRBUF_INIT;
	char *end;
	int ret = 0;

	if (!cf->where)
		cf->where = config_where(f, sub, NULL);
	if (!strcmp(key, "binaries")) {
		config_add_glob(cf, f, value);
	} else if (!strcmp(key, "list") || !strcmp(key, "run")) {
		int list = key[0] == 'l';
		char **where = list ? &cf->list_where : &cf->run_where;

		free(*where);
		*where = config_where(f, sub, key);
		ret = config_command(f, value, list ? &cf->list : &cf->run, &why);
	} else if (!strcmp(key, "results")) {
		if ((cf->results = conf_results_parse(value)) == CONF_RESULTS_NONE) {
			strbuf_addf(&why, "'%s' is not one of exitcode, tap, junit", value);
			ret = -1;
		}
	} else if (!strcmp(key, "batch")) {
		unsigned long n = strtoul(value, &end, 10);

		if (!isdigit((unsigned char)*value) || *end || !n || n > 100000) {
			strbuf_addf(&why, "'%s' is not a number of cases from 1 to 100000", value);
			ret = -1;
		}
		cf->batch = (unsigned)n;
	} else {
		strbuf_adds(&why, "unknown key (binaries, list, run, results, batch; see docs/frameworks.md)");
		ret = -1;
	}
	if (ret) {
		char *where = config_where(f, sub, key);
		strbuf_addf(err, "%s: %s", where, why.buf);
		free(where);
	}
	strbuf_release(&why);
	return ret;
}

/* The section's problem as a whole, into why; 0 if none. */
static int config_framework_whole(const struct conf_framework *cf, struct strbuf *why, const char **key)
{
	unsigned used = 0, nnames = 0;

	if (!cf->binaries.nr)
		return *key = NULL, strbuf_adds(why, "no binaries (binaries = GLOB...)"), -1;
	if (!cf->list.nr)
		return *key = NULL, strbuf_adds(why, "no list command (list = COMMAND)"), -1;
	if (!cf->run.nr)
		return *key = NULL, strbuf_adds(why, "no run command (run = COMMAND)"), -1;
	if (!cf->results)
		return *key = NULL, strbuf_adds(why, "no results kind (results = exitcode, tap or junit)"), -1;
	*key = "list";
	conf_command_scan(cf->list.v, cf->list.nr, &used, &nnames, why);
	if (!(used & CONF_PH_BIN))
		return strbuf_adds(why, "the list command has no {bin} placeholder"), -1;
	if (used & (CONF_PH_NAMES | CONF_PH_JUNIT))
		return strbuf_adds(why, "the list command takes no {names} or {junit}"), -1;
	*key = "run";
	conf_command_scan(cf->run.v, cf->run.nr, &used, &nnames, why);
	if (!(used & CONF_PH_BIN))
		return strbuf_adds(why, "the run command has no {bin} placeholder"), -1;
	if (nnames != 1)
		return strbuf_addf(why, "the run command needs one {names} or {names:SEP} placeholder, "
				   "not %u", nnames), -1;
	if (cf->results == CONF_RESULTS_JUNIT && !(used & CONF_PH_JUNIT))
		return strbuf_adds(why, "results = junit: the run command has no {junit} placeholder "
				   "for the file it writes"), -1;
	if (cf->results != CONF_RESULTS_JUNIT && (used & CONF_PH_JUNIT))
		return strbuf_adds(why, "{junit} in the run command, but results is not junit"), -1;
	return 0;
}

int config_frameworks_check(struct conf_frameworks *fw, const struct config_file *f,
			    struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	int ret = 0;

	for (size_t i = 0; !ret && i < fw->n; i++) {
		const char *key = NULL;

		if (config_framework_whole(&fw->v[i], &why, &key)) {
			char *where = config_where(f, fw->v[i].name, key);
			strbuf_addf(err, "%s: %s", where, why.buf);
			free(where);
			ret = -1;
		}
	}
	strbuf_release(&why);
	return ret;
}
