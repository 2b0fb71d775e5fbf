/*
 * automake-internal.h - for the files of runner/collect/automake*.c only:
 * reading the shell code automake's variables hold (automake-shell.c).
 */
#ifndef BALRUN_AUTOMAKE_INTERNAL_H
#define BALRUN_AUTOMAKE_INTERNAL_H

#include "strbuf.h"
#include "strvec.h"

/*
 * The words of s (blanks between them; '...' and "..." without
 * expansions) pushed to out.  0, or -1 if s holds anything a shell would
 * expand or treat specially ($, `, \, ;, |, &, <, >, globs, ...).
 */
int am_shell_words(const char *s, struct strvec *out);

/*
 * What the shell code would put into the environment of the command that
 * follows it (automake: `$(AM_TESTS_ENVIRONMENT) $(TESTS_ENVIRONMENT)
 * $(LOG_DRIVER) ...`), as environment changes pushed to env ("NAME=value",
 * "NAME" unsets): exported assignments, `export NAME[=value]`, `unset
 * NAME`, and assignments right before the command.  0, or -1 if the code
 * holds anything else (nothing pushed then).
 */
int am_shell_env(const char *code, struct strvec *env);

#endif
