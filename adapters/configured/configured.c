/*
 * configured.c - frameworks taught in .balrun.conf: their commands, their
 * listings, and the adapter that runs them; see configured.h.  The worker's
 * side (run_batch) is configured-run.c, the JUnit reader configured-junit.c.
 */
#define _GNU_SOURCE
#include "configured-internal.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void conf_frameworks_release(struct conf_frameworks *fw)
{
	for (size_t i = 0; i < fw->n; i++) {
		struct conf_framework *f = &fw->v[i];

		free(f->name);
		free(f->list_where);
		free(f->run_where);
		free(f->where);
		strvec_clear(&f->binaries);
		strvec_clear(&f->list);
		strvec_clear(&f->run);
	}
	free(fw->v);
	memset(fw, 0, sizeof(*fw));
}

const struct conf_framework *conf_frameworks_match(const struct conf_frameworks *fw,
						   const char *abspath)
{
	for (size_t i = 0; fw && i < fw->n; i++)
		for (size_t k = 0; k < fw->v[i].binaries.nr; k++)
			if (!fnmatch(fw->v[i].binaries.v[k], abspath, FNM_PATHNAME))
				return &fw->v[i];
	return NULL;
}

static const char *const conf_results_names[] = {
	[CONF_RESULTS_EXITCODE] = "exitcode", [CONF_RESULTS_TAP] = "tap",
	[CONF_RESULTS_JUNIT] = "junit",
};

const char *conf_results_name(enum conf_results r)
{
	return r > CONF_RESULTS_NONE && r <= CONF_RESULTS_JUNIT ? conf_results_names[r] : "";
}

enum conf_results conf_results_parse(const char *s)
{
	for (int r = CONF_RESULTS_EXITCODE; s && r <= CONF_RESULTS_JUNIT; r++)
		if (!strcmp(s, conf_results_names[r]))
			return (enum conf_results)r;
	return CONF_RESULTS_NONE;
}

/* ---- commands ---- */

int conf_command_split(const char *value, struct strvec *words, struct strbuf *err)
{
	struct strbuf w = STRBUF_INIT;
	const char *s = value;
	int in_word = 0, ret = 0;
	char quote = 0;

	for (; *s; s++) {
		if (quote) {
			if (*s == quote)
				quote = 0;
			else if (*s == '\\' && quote == '"' && s[1])
				strbuf_addch(&w, *++s);
			else
				strbuf_addch(&w, *s);
		} else if (*s == ' ' || *s == '\t' || *s == '\n') {
			if (in_word)
				strvec_push(words, w.buf);
			strbuf_reset(&w);
			in_word = 0;
		} else {
			in_word = 1;
			if (*s == '\'' || *s == '"')
				quote = *s;
			else if (*s == '\\' && s[1])
				strbuf_addch(&w, *++s);
			else
				strbuf_addch(&w, *s);
		}
	}
	if (quote) {
		strbuf_addf(err, "unclosed %c quote", quote);
		ret = -1;
	} else if (in_word) {
		strvec_push(words, w.buf);
	}
	if (!ret && !words->nr) {
		strbuf_adds(err, "no command");
		ret = -1;
	}
	strbuf_release(&w);
	return ret;
}

/*
 * The placeholder at s ("{...}"): its kind into *ph (0 for a literal brace),
 * its length returned; 0 if it is not one, with why in err.
 */
static size_t conf_placeholder_at(const char *s, unsigned *ph, const char **sep, size_t *seplen,
				  struct strbuf *err)
{
	const char *end;

	*ph = 0;
	if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}'))
		return 2;
	if (s[0] == '}') {
		strbuf_adds(err, "a lone '}' (write }} for a brace)");
		return 0;
	}
	end = strchr(s, '}');
	if (!end) {
		strbuf_addf(err, "unclosed placeholder '%s' (write {{ for a brace)", s);
		return 0;
	}
	if (end - s == 4 && !strncmp(s, "{bin}", 5))
		*ph = CONF_PH_BIN;
	else if (end - s == 6 && !strncmp(s, "{junit}", 7))
		*ph = CONF_PH_JUNIT;
	else if (end - s == 6 && !strncmp(s, "{names}", 7))
		*ph = CONF_PH_NAMES;
	else if (!strncmp(s, "{names:", 7) && end - s > 7) {
		*ph = CONF_PH_NAMES;
		*sep = s + 7;
		*seplen = (size_t)(end - s - 7);
	} else {
		strbuf_addf(err, "unknown placeholder '%.*s' (one of {bin}, {names}, {names:SEP}, {junit})",
			    (int)(end - s + 1), s);
		return 0;
	}
	return (size_t)(end - s) + 1;
}

int conf_command_scan(char *const *words, size_t n, unsigned *used, unsigned *nnames,
		      struct strbuf *err)
{
	*used = 0;
	*nnames = 0;
	for (size_t i = 0; i < n; i++) {
		for (const char *s = words[i]; *s;) {
			const char *sep = NULL;
			size_t seplen = 0, len;
			unsigned ph;

			if (*s != '{' && *s != '}') {
				s++;
				continue;
			}
			if (!(len = conf_placeholder_at(s, &ph, &sep, &seplen, err)))
				return -1;
			if (ph == CONF_PH_NAMES && !sep && strcmp(words[i], "{names}")) {
				strbuf_addf(err, "'{names}' must be a word of its own in '%s' (or use "
					    "{names:SEP})", words[i]);
				return -1;
			}
			*used |= ph;
			*nnames += ph == CONF_PH_NAMES;
			s += len;
		}
	}
	return 0;
}

static void conf_expand_word(const char *word, const struct conf_subst *sub, struct strbuf *out)
{
	struct strbuf ignore = STRBUF_INIT;

	for (const char *s = word; *s;) {
		const char *sep = NULL;
		size_t seplen = 0, len;
		unsigned ph;

		if (*s != '{' && *s != '}') {
			strbuf_addch(out, *s++);
			continue;
		}
		len = conf_placeholder_at(s, &ph, &sep, &seplen, &ignore);
		if (!len) {	/* scanned before: cannot happen; keep the text */
			strbuf_addch(out, *s++);
			continue;
		}
		if (!ph)
			strbuf_addch(out, *s);
		else if (ph == CONF_PH_BIN)
			strbuf_adds(out, sub->bin ? sub->bin : "");
		else if (ph == CONF_PH_JUNIT)
			strbuf_adds(out, sub->junit ? sub->junit : "");
		for (size_t i = 0; ph == CONF_PH_NAMES && i < sub->nnames; i++) {
			if (i)
				strbuf_add(out, sep, seplen);
			strbuf_adds(out, sub->names[i]);
		}
		s += len;
	}
	strbuf_release(&ignore);
}

void conf_command_expand(char *const *words, size_t n, const struct conf_subst *sub,
			 struct strvec *argv)
{
	struct strbuf w = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		if (!strcmp(words[i], "{names}")) {
			for (size_t k = 0; k < sub->nnames; k++)
				strvec_push(argv, sub->names[k]);
			continue;
		}
		strbuf_reset(&w);
		conf_expand_word(words[i], sub, &w);
		strvec_push(argv, w.buf);
	}
	strbuf_release(&w);
}

/* ---- listings ---- */

int conf_parse_listing(const struct conf_framework *f, const struct listing_output *o,
		       struct listing *l, struct strbuf *why)
{
	const char *s = o->out, *end = o->out + o->out_len;
	char *scope = NULL;

	if (!o->exited_zero) {
		strbuf_addf(why, "the list command of %s", f->list_where);
		return -1;
	}
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *e = nl ? nl : end, *slash;
		const char *b = s;

		s = nl ? nl + 1 : end;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (b == e)
			continue;
		if (memchr(b, '\0', (size_t)(e - b))) {
			strbuf_addf(why, "a case name with a NUL byte in the output of the list command "
				    "of %s", f->list_where);
			free(scope);
			return -1;
		}
		slash = f->results == CONF_RESULTS_EXITCODE ? e : memrchr(b, '/', (size_t)(e - b));
		if (!slash)
			slash = b;
		if (!scope || l->nscopes == 0 || strlen(scope) != (size_t)(slash - b) ||
		    strncmp(scope, b, (size_t)(slash - b))) {
			free(scope);
			scope = xstrndup(b, (size_t)(slash - b));
			listing_scope(l, xstrdup(scope));
		}
		listing_test(l, xstrndup(b, (size_t)(e - b)), 0);
	}
	free(scope);
	return 0;
}

int configured_recognise(const struct binary_facts *f, const char *id, struct strbuf *note)
{
	(void)f;
	(void)id;
	(void)note;
	return 0;
}

const struct adapter adapter_configured = {
	.name = "configured",
	.flags = ADAPTER_CONFIG,
	.recognise = configured_recognise,
	.run_batch = configured_run_batch,
};
