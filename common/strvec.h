/*
 * strvec.h - a growable NULL-terminated array of strings, for argv and
 * environment vectors.
 */
#ifndef BALRUN_STRVEC_H
#define BALRUN_STRVEC_H

#include <stddef.h>

struct strvec {
	char **v;     /* always NULL-terminated once anything was pushed */
	size_t nr, alloc;
};

#define STRVEC_INIT { NULL, 0, 0 }

void strvec_push(struct strvec *sv, const char *s);
void strvec_pushf(struct strvec *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copy of envp (NULL: environ) with NAME=value set (replacing any NAME=). */
void strvec_env(struct strvec *sv, char *const *envp);
void strvec_setenv(struct strvec *sv, const char *name, const char *value);
/*
 * Apply environment changes (each "NAME=value" sets, "NAME" unsets), in
 * order, to the environment sv.
 */
void strvec_env_apply(struct strvec *sv, const struct strvec *changes);
/* Put value in front of NAME's value, joined by sep (just value if NAME is unset or empty). */
void strvec_env_prepend(struct strvec *sv, const char *name, const char *value, char sep);
/* 1 if the changes sv unset NAME (hold a bare "NAME"). */
int strvec_has_unset(const struct strvec *sv, const char *name);
/* NAME's value in the environment sv, or NULL. */
const char *strvec_getenv(const struct strvec *sv, const char *name);
/* Remove every NAME= entry. */
void strvec_unsetenv(struct strvec *sv, const char *name);
void strvec_clear(struct strvec *sv);

#endif
