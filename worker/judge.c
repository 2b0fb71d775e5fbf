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
	strbuf_init(&j->line, 0);
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

static int judge_any(const regex_t *v, size_t n, const char *line)
{
	for (size_t i = 0; i < n; i++)
		if (!regexec(&v[i], line, 0, NULL, 0))
			return 1;
	return 0;
}

static void judge_line(struct judge *j)
{
	const char *line = j->line.buf;
	int fail = judge_any(j->fail, j->nfail, line), skip = judge_any(j->skip, j->nskip, line);

	j->passed |= judge_any(j->pass, j->npass, line);
	if ((fail && !j->failed) || (skip && !j->skipped && !j->matched)) {
		free(j->matched);
		j->matched = xstrndup(line, 200);
	}
	j->failed |= fail;
	j->skipped |= skip;
	strbuf_reset(&j->line);
}

void judge_output(struct judge *j, const char *buf, size_t len)
{
	if (!j->npass && !j->nfail && !j->nskip)
		return;
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;

		if (!j->long_line) {
			size_t room = JUDGE_LINE_MAX - j->line.len;
			strbuf_add(&j->line, buf, n < room ? n : room);
			if (n >= room)
				j->long_line = 1;
		}
		if (nl) {
			if (j->line.len && j->line.buf[j->line.len - 1] == '\r')
				strbuf_setlen(&j->line, j->line.len - 1);
			judge_line(j);
			j->long_line = 0;
			n++;
		}
		buf += n;
		len -= n;
	}
}

enum outcome judge_verdict(struct judge *j, const struct child *c, uint64_t timeout_ms, struct strbuf *msg)
{
	const struct proto_invocation *inv = j->inv;
	int64_t skip_code = inv->judge & INV_SKIP_CODE ? inv->skip_code : JUDGE_DEFAULT_SKIP;
	int exited = WIFEXITED(c->status), code = exited ? WEXITSTATUS(c->status) : -1;
	char what[64];
	int pass;

	if (j->line.len)
		judge_line(j);
	proc_describe_status(c->status, what, sizeof(what));
	if (c->timed_out) {
		strbuf_addf(msg, "timed out after %llu ms (%s)", (unsigned long long)timeout_ms, what);
		return OUTCOME_TIMEOUT;
	}
	if (j->skipped || (exited && skip_code >= 0 && code == skip_code)) {
		if (j->skipped)
			strbuf_addf(msg, "skipped: the output matched a skip expression: %s", j->matched);
		else
			strbuf_adds(msg, what);
		return OUTCOME_SKIP;
	}
	pass = j->npass ? j->passed : exited && code == 0;
	if (j->failed)
		pass = 0;
	if (inv->judge & INV_WILL_FAIL) {
		if (!pass)
			return OUTCOME_PASS;	/* expected to fail, and it did */
		strbuf_addf(msg, "expected to fail (WILL_FAIL), but passed (%s)", what);
		return OUTCOME_FAIL;
	}
	if (pass)
		return OUTCOME_PASS;
	if (j->failed)
		strbuf_addf(msg, "the output matched a fail expression: %s (%s)", j->matched, what);
	else if (j->npass && !j->passed)
		strbuf_addf(msg, "no line of the output matched a pass expression (%s)", what);
	else
		strbuf_adds(msg, what);
	return exited ? OUTCOME_FAIL : OUTCOME_CRASH;
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
	free(j->matched);
	strbuf_release(&j->line);
	memset(j, 0, sizeof(*j));
}
