/*
 * strvec.c - NULL-terminated string vectors; see strvec.h.
 */
#define _GNU_SOURCE
#include "strvec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

extern char **environ;

static void push_owned(struct strvec *sv, char *s)
{
	ALLOC_GROW(sv->v, sv->nr + 2, sv->alloc);
	sv->v[sv->nr++] = s;
	sv->v[sv->nr] = NULL;
}

void strvec_push(struct strvec *sv, const char *s)
{
	push_owned(sv, xstrdup(s));
}

void strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory formatting a string");
	va_end(ap);
	push_owned(sv, s);
}

void strvec_env(struct strvec *sv, char *const *envp)
{
	for (char *const *e = envp ? envp : environ; *e; e++)
		strvec_push(sv, *e);
}

void strvec_setenv(struct strvec *sv, const char *name, const char *value)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < sv->nr; i++) {
		if (!strncmp(sv->v[i], name, n) && sv->v[i][n] == '=') {
			free(sv->v[i]);
			sv->v[i] = xasprintf("%s=%s", name, value);
			return;
		}
	}
	strvec_pushf(sv, "%s=%s", name, value);
}

void strvec_env_apply(struct strvec *sv, const struct strvec *changes)
{
	for (size_t i = 0; i < changes->nr; i++) {
		const char *eq = strchr(changes->v[i], '=');

		if (!eq) {
			strvec_unsetenv(sv, changes->v[i]);
		} else {
			char *name = xstrndup(changes->v[i], (size_t)(eq - changes->v[i]));
			strvec_setenv(sv, name, eq + 1);
			free(name);
		}
	}
}

int strvec_has_unset(const struct strvec *sv, const char *name)
{
	for (size_t i = 0; i < sv->nr; i++)
		if (!strcmp(sv->v[i], name))
			return 1;
	return 0;
}

const char *strvec_getenv(const struct strvec *sv, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sv->nr; i++)
		if (!strncmp(sv->v[i], name, n) && sv->v[i][n] == '=')
			return sv->v[i] + n + 1;
	return NULL;
}

void strvec_env_prepend(struct strvec *sv, const char *name, const char *value, char sep)
{
	const char *old = strvec_getenv(sv, name);

	if (old && *old) {
		char *both = xasprintf("%s%c%s", value, sep, old);
		strvec_setenv(sv, name, both);
		free(both);
	} else {
		strvec_setenv(sv, name, value);
	}
}

void strvec_unsetenv(struct strvec *sv, const char *name)
{
	size_t n = strlen(name), out = 0;

	for (size_t i = 0; i < sv->nr; i++) {
		if (!strncmp(sv->v[i], name, n) && sv->v[i][n] == '=')
			free(sv->v[i]);
		else
			sv->v[out++] = sv->v[i];
	}
	sv->nr = out;
	if (sv->v)
		sv->v[out] = NULL;
}

void strvec_clear(struct strvec *sv)
{
	for (size_t i = 0; i < sv->nr; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->nr = sv->alloc = 0;
}
