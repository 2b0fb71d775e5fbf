/*
 * automake-shell.c - the little of the shell that automake's variables
 * need read without a shell: words (LOG_COMPILER and its flags) and plain
 * assignments (AM_TESTS_ENVIRONMENT, TESTS_ENVIRONMENT).  Anything more
 * (an expansion, a command, a redirection) is refused, and the caller runs
 * the code through /bin/sh instead; see automake-internal.h.
 */
#include "automake-internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Characters that make a word more than a literal (outside quotes). */
#define AM_SHELL_SPECIAL "$`\\\"'|&;<>()*?[]~{}#!"

/* One word at *s (after blanks) into word; 1 found, 0 end, -1 not a literal word. */
static int am_word(const char **s, struct strbuf *word)
{
	const char *p = *s;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p)
		return 0;
	strbuf_reset(word);
	while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
		if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');

			if (!end)
				return -1;
			strbuf_add(word, p + 1, (size_t)(end - p - 1));
			p = end + 1;
		} else if (*p == '"') {
			const char *end = p + 1 + strcspn(p + 1, "\"$`\\");

			if (*end != '"')
				return -1;
			strbuf_add(word, p + 1, (size_t)(end - p - 1));
			p = end + 1;
		} else if (strchr(AM_SHELL_SPECIAL, *p) && !((*p == '#' || *p == '!') && word->len)) {
			return -1;
		} else {
			strbuf_addch(word, *p++);
		}
	}
	*s = p;
	return 1;
}

int am_shell_words(const char *s, struct strvec *out)
{
	struct strbuf word = STRBUF_INIT;
	int r;

	while ((r = am_word(&s, &word)) == 1)
		strvec_push(out, word.buf);
	strbuf_release(&word);
	return r < 0 ? -1 : 0;
}

/* The length of the variable name w starts with (0: none). */
static size_t am_name(const char *w)
{
	size_t n = 0;

	if (!isalpha((unsigned char)w[0]) && w[0] != '_')
		return 0;
	while (isalnum((unsigned char)w[n]) || w[n] == '_')
		n++;
	return n;
}

/* "NAME=value" with a valid NAME: the length of NAME, else 0. */
static size_t am_assignment(const char *w)
{
	size_t n = am_name(w);

	return n && w[n] == '=' ? n : 0;
}

/* A shell variable of the code: its value (NULL: unset) and whether it is exported. */
struct am_var {
	char *name, *value;
	int exported;
};

static struct am_var *am_var(struct am_var **v, size_t *n, size_t *alloc, const char *name, size_t len)
{
	for (size_t i = 0; i < *n; i++)
		if (strlen((*v)[i].name) == len && !strncmp((*v)[i].name, name, len))
			return &(*v)[i];
	ALLOC_GROW(*v, *n + 1, *alloc);
	(*v)[*n] = (struct am_var){ .name = xstrndup(name, len) };
	return &(*v)[(*n)++];
}

/* One ';'-separated piece of the code; last: nothing follows it (its assignments prefix the driver). */
static int am_piece(const struct strvec *w, int last, struct am_var **v, size_t *n, size_t *alloc)
{
	size_t first = w->nr && (!strcmp(w->v[0], "export") || !strcmp(w->v[0], "unset"));

	for (size_t i = first; i < w->nr; i++) {
		size_t len = am_assignment(w->v[i]);
		struct am_var *var;

		if (!len && (!am_name(w->v[i]) || w->v[i][am_name(w->v[i])]))
			return -1;	/* a command, or an option of export / unset */
		if (first && !strcmp(w->v[0], "unset")) {
			if (len)
				return -1;
			var = am_var(v, n, alloc, w->v[i], strlen(w->v[i]));
			free(var->value);
			var->value = NULL;
			var->exported = 1;	/* an unset reaches the test */
			continue;
		}
		if (!len && !first)
			return -1;	/* a command */
		var = am_var(v, n, alloc, w->v[i], len ? len : strlen(w->v[i]));
		if (len) {
			free(var->value);
			var->value = xstrdup(w->v[i] + len + 1);
		}
		var->exported |= first || last;
	}
	return 0;
}

int am_shell_env(const char *code, struct strvec *env)
{
	struct strvec words = STRVEC_INIT;
	struct am_var *v = NULL;
	size_t n = 0, alloc = 0;
	int ret = 0;

	for (const char *p = code; *p && !ret;) {
		size_t len = strcspn(p, ";");
		char *piece = xstrndup(p, len);
		const char *rest = p + len + (p[len] == ';');

		strvec_clear(&words);
		ret = am_shell_words(piece, &words);
		if (!ret)
			ret = am_piece(&words, !p[len] || !rest[strspn(rest, " \t\n;")], &v, &n, &alloc);
		free(piece);
		p = rest;
	}
	for (size_t i = 0; i < n; i++) {
		if (!ret && v[i].exported && v[i].value)
			strvec_pushf(env, "%s=%s", v[i].name, v[i].value);
		else if (!ret && v[i].exported)
			strvec_push(env, v[i].name);
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
	strvec_clear(&words);
	return ret;
}
