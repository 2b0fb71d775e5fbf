/*
 * judge.c - the verdict on a whole process; see judge.h.
 */
#include "judge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "util.h"

static int judge_compile(char *const *src, size_t n, regex_t **out, const char *what,
			 struct strbuf *err)
{
	*out = xcalloc(n ? n : 1, sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		int rc = regcomp(&(*out)[i], src[i], REG_EXTENDED | REG_NOSUB);

		if (rc) {
			char why[128];

			regerror(rc, &(*out)[i], why, sizeof(why));
			strbuf_addf(err, "%s regular expression '%s': %s", what, src[i], why);
			for (size_t k = 0; k < i; k++)
				regfree(&(*out)[k]);
			free(*out);
			*out = NULL;
			return -1;
		}
	}
	return 0;
}

int judge_init(struct judge *j, const struct proto_invocation *inv, struct strbuf *err)
{
	memset(j, 0, sizeof(*j));
	j->inv = inv;
	strbuf_init(&j->output, 0);
	j->npass = inv->npass_regex;
	j->nfail = inv->nfail_regex;
	j->nskip = inv->nskip_regex;
	if (judge_compile(inv->pass_regex, inv->npass_regex, &j->pass, "pass", err) ||
	    judge_compile(inv->fail_regex, inv->nfail_regex, &j->fail, "fail", err) ||
	    judge_compile(inv->skip_regex, inv->nskip_regex, &j->skip, "skip", err)) {
		judge_release(j);
		return -1;
	}
	return 0;
}

void judge_output(struct judge *j, const char *buf, size_t len)
{
	size_t room = JUDGE_OUTPUT_MAX - j->output.len;

	if (!j->npass && !j->nfail && !j->nskip)
		return;
	strbuf_add(&j->output, buf, len < room ? len : room);
}

/* The index of the first expression of v that matches the output, or -1. */
static long judge_find(const struct judge *j, const regex_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!regexec(&v[i], j->output.buf, 0, NULL, 0))
			return (long)i;
	return -1;
}

/* Exit status and regular expressions: did it pass, before WILL_FAIL? why into msg if not. */
static int judge_passed(const struct judge *j, int code, const char *what, struct strbuf *msg)
{
	const struct proto_invocation *inv = j->inv;
	long fail = judge_find(j, j->fail, j->nfail), pass = judge_find(j, j->pass, j->npass);

	if (fail >= 0) {
		strbuf_addf(msg, "the output matched the fail expression '%s' (%s)", inv->fail_regex[fail], what);
		return 0;
	}
	if (j->npass) {
		if (pass < 0)
			strbuf_addf(msg, "no pass expression matched the output (%s)", what);
		return pass >= 0;
	}
	if (code)
		strbuf_adds(msg, what);
	return code == 0;
}

enum outcome judge_verdict(struct judge *j, const struct child *c, uint64_t timeout_ms, struct strbuf *msg)
{
	const struct proto_invocation *inv = j->inv;
	int64_t skip_code = inv->judge & INV_SKIP_CODE ? inv->skip_code : JUDGE_DEFAULT_SKIP;
	int exited = WIFEXITED(c->status), code = exited ? WEXITSTATUS(c->status) : -1;
	int will_fail = !!(inv->judge & INV_WILL_FAIL);
	char what[64];
	long skip;

	for (size_t i = 0; i < j->output.len; i++)	/* regexec stops at a NUL */
		if (!j->output.buf[i])
			j->output.buf[i] = '\n';
	proc_describe_status(c->status, what, sizeof(what));
	if (c->timed_out) {
		strbuf_addf(msg, "timed out after %llu ms (%s)", (unsigned long long)timeout_ms, what);
		return OUTCOME_TIMEOUT;
	}
	if ((skip = judge_find(j, j->skip, j->nskip)) >= 0) {
		strbuf_addf(msg, "skipped: the output matched '%s'", inv->skip_regex[skip]);
		return OUTCOME_SKIP;
	}
	if (exited && skip_code >= 0 && code == skip_code) {
		strbuf_adds(msg, what);
		return OUTCOME_SKIP;
	}
	if (exited && code == JUDGE_HARD_ERROR && (inv->judge & INV_HARD_ERROR)) {
		strbuf_addf(msg, "hard error (%s)", what);
		return OUTCOME_FAIL;
	}
	if (!exited) {
		if (will_fail && (inv->judge & INV_INVERT_CRASH))
			return OUTCOME_PASS;	/* expected to fail, and it did */
		strbuf_adds(msg, what);
		return OUTCOME_CRASH;
	}
	if (judge_passed(j, code, what, msg) != will_fail) {
		strbuf_reset(msg);
		return OUTCOME_PASS;
	}
	if (will_fail && !msg->len)
		strbuf_addf(msg, "expected to fail, but passed (%s)", what);
	return OUTCOME_FAIL;
}

void judge_release(struct judge *j)
{
	for (size_t i = 0; j->pass && i < j->npass; i++)
		regfree(&j->pass[i]);
	for (size_t i = 0; j->fail && i < j->nfail; i++)
		regfree(&j->fail[i]);
	for (size_t i = 0; j->skip && i < j->nskip; i++)
		regfree(&j->skip[i]);
	free(j->pass);
	free(j->fail);
	free(j->skip);
	strbuf_release(&j->output);
	memset(j, 0, sizeof(*j));
}
