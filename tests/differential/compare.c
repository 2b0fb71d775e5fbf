/*
 * compare.c - a balrun report against the oracle; see compare.h.
 */
#define _GNU_SOURCE
#include "compare.h"
#include "spawn.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 :
		     (s[0] & 0xf8) == 0xf0 ? 4 : 0;

	if (!len || len > n || !s[0])
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((s[k] & 0xc0) != 0x80)
			return 0;
	if (len == 2 && s[0] < 0xc2)
		return 0;
	return len;
}

char *diff_escape_id(const char *s)
{
	size_t n = strlen(s), o = 0;
	char *out = xrealloc(NULL, 4 * n + 1);

	for (size_t i = 0; i < n;) {
		size_t l = utf8_len((const unsigned char *)s + i, n - i);
		if (l) {
			memcpy(out + o, s + i, l);
			o += l;
			i += l;
		} else {
			o += (size_t)sprintf(out + o, "\\x%02x", (unsigned char)s[i]);
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

/* For mismatch lines: controls escaped, the middle of a long text left out. */
static char *show(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0, o = 0;
	char *esc = xrealloc(NULL, 4 * n + 1), *res;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			o += (size_t)sprintf(esc + o, "\\n");
		else if (c < 0x20 || c == 0x7f)
			o += (size_t)sprintf(esc + o, "\\x%02x", c);
		else
			esc[o++] = (char)c;
	}
	esc[o] = '\0';
	if (o <= max)
		return esc;
	res = xasprintf("%.*s...[%zu bytes]...%s", (int)(max * 2 / 3), esc, o,
			esc + o - max / 3);
	free(esc);
	return res;
}

struct cmp {
	struct diff_bin *bins;
	size_t nbins;
	const struct diff_run *run;
	FILE *out;
	size_t mismatches;
	/* per bin: how often each case was seen, the last case index seen, evidence used */
	size_t **seen;
	long *last;
	int *order_bad;
	size_t **ev_used;
	char ***escaped;          /* per bin, per case: its name as balrun shows it (NULL: plain) */
};

static void mismatch(struct cmp *c, const char *bin, const char *id, const char *oracle,
		     const char *balrun, const char *message)
{
	char *sid = show(id, 120), *smsg = show(message, 160);

	if (c->run->workers)
		fprintf(c->out, "MISMATCH  -n %d %-4s  ", c->run->workers, c->run->warm ? "warm" : "cold");
	else
		fprintf(c->out, "MISMATCH  (report)  ");
	fprintf(c->out, "%-16s  %s  oracle: %s  balrun: %s  message: %s\n", bin, sid, oracle, balrun,
		message ? smsg : "-");
	free(sid);
	free(smsg);
	c->mismatches++;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int find_bin(struct cmp *c, const char *binpart, size_t len)
{
	const char *slash = memrchr(binpart, '/', len);
	const char *base = slash ? slash + 1 : binpart;
	size_t blen = (size_t)(binpart + len - base);

	for (size_t i = 0; i < c->nbins; i++)
		if (strlen(c->bins[i].base) == blen && !memcmp(c->bins[i].base, base, blen))
			return (int)i;
	return -1;
}

static int fault_kind_of(const char *rest, char **group)
{
	size_t n = strlen(rest);

	*group = NULL;
	if (!strcmp(rest, "[before tests]"))
		return FAULT_BEFORE;
	if (!strcmp(rest, "[after tests]"))
		return FAULT_AFTER;
	if (n > 14 && !strcmp(rest + n - 14, " [group setup]")) {
		*group = xstrndup(rest, n - 14);
		return FAULT_GROUP_SETUP;
	}
	if (n > 17 && !strcmp(rest + n - 17, " [group teardown]")) {
		*group = xstrndup(rest, n - 17);
		return FAULT_GROUP_TEARDOWN;
	}
	return -1;
}

static int evidence_matches(const struct diff_evidence *e, int kind, const char *group)
{
	char *eg = e->group ? diff_escape_id(e->group) : NULL;
	int same_group = eg && group && !strcmp(eg, group);
	int ok = 0;

	switch (e->kind) {
	case FAULT_BEFORE:
	case FAULT_AFTER:
		ok = kind == (int)e->kind;
		break;
	case FAULT_GROUP_SETUP:
	case FAULT_GROUP_TEARDOWN:
		ok = kind == (int)e->kind && same_group;
		break;
	case FAULT_GROUP_TEARDOWN_OR_AFTER:
		ok = kind == FAULT_AFTER || (kind == FAULT_GROUP_TEARDOWN && same_group);
		break;
	}
	free(eg);
	return ok;
}

static void on_fault(struct cmp *c, int bi, json_t *t, const char *id, const char *rest)
{
	struct diff_bin *b = &c->bins[bi];
	const char *outcome = jstr(t, "outcome"), *msg = jstr(t, "message");
	char *group = NULL;
	int kind = rest ? fault_kind_of(rest, &group) : -1;
	int o = diff_outcome_parse(outcome);
	size_t i;

	if (kind < 0) {
		mismatch(c, b->base, id, "no such fault kind", outcome ? outcome : "?", msg);
		return;
	}
	for (i = 0; i < b->nev; i++)
		if (evidence_matches(&b->ev[i], kind, group))
			break;
	if (i == b->nev)
		mismatch(c, b->base, id, "no fault (no serial evidence)", outcome ? outcome : "?", msg);
	else if (c->ev_used[bi][i]++)
		mismatch(c, b->base, id, "one fault entry", "duplicated", msg);
	else if (o != DIFF_FAILED && o != DIFF_CRASHED && o != DIFF_TIMED_OUT)
		mismatch(c, b->base, id, "a failing fault entry", outcome ? outcome : "?", msg);
	free(group);
}

static void on_case(struct cmp *c, int bi, json_t *t, const char *id, const char *rest)
{
	struct diff_bin *b = &c->bins[bi];
	const char *outcome = jstr(t, "outcome"), *msg = jstr(t, "message");
	int o = outcome && !strcmp(outcome, "order-dependent") ? DIFF_PASSED
								  : diff_outcome_parse(outcome);
	long idx = -1;

	for (size_t i = 0; i < b->ncases; i++) {
		const char *esc = c->escaped[bi][i];

		if (esc ? rest && !strcmp(esc, rest) : !rest) {
			idx = (long)i;
			break;
		}
	}
	if (idx < 0) {
		mismatch(c, b->base, id, "no such case", outcome ? outcome : "?", msg);
		return;
	}
	if (c->seen[bi][idx]++) {
		if (c->seen[bi][idx] == 2)
			mismatch(c, b->base, id, "once", "duplicated", msg);
		return;
	}
	if (idx < c->last[bi] && !c->order_bad[bi]) {
		c->order_bad[bi] = 1;
		mismatch(c, b->base, id, "serial order", "out of order", "(first case out of order)");
	}
	c->last[bi] = idx;
	if (b->cases[idx].oracle == DIFF_UNKNOWN)
		return;
	if (o < 0 || o != (int)b->cases[idx].oracle)
		mismatch(c, b->base, id, diff_outcome_name(b->cases[idx].oracle),
			 outcome ? outcome : "?", msg);
}

static int balrun_exit(int status)
{
	if (status < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void check_exit(struct cmp *c, json_t *tests)
{
	int oracle_fails = 0, own_fails = 0, code = balrun_exit(c->run->status);
	json_t *t, *jcode = json_object_get(c->run->report, "exit_code");
	size_t i;
	char want[64], got[64];

	for (size_t b = 0; b < c->nbins; b++) {
		if (c->run->excluded && c->run->excluded[b])
			continue;
		oracle_fails |= c->bins[b].nev > 0;
		for (size_t k = 0; k < c->bins[b].ncases; k++)
			oracle_fails |= diff_outcome_fails(c->bins[b].cases[k].oracle);
	}
	json_array_foreach(tests, i, t) {
		int o = diff_outcome_parse(jstr(t, "outcome"));
		own_fails |= json_is_true(json_object_get(t, "fault")) ||
			     (o >= 0 && diff_outcome_fails((enum diff_outcome)o));
	}
	if (c->run->status == SPAWN_TIMED_OUT)
		snprintf(got, sizeof(got), "stopped by the harness");
	else
		snprintf(got, sizeof(got), "exit %d", code);
	if (code != (oracle_fails ? 1 : 0)) {
		snprintf(want, sizeof(want), "exit %d", oracle_fails ? 1 : 0);
		mismatch(c, "(run)", "exit code", want, got, "the oracle predicts another exit code");
	}
	if (code != (own_fails ? 1 : 0)) {
		snprintf(want, sizeof(want), "exit %d", own_fails ? 1 : 0);
		mismatch(c, "(run)", "exit code", want, got,
			 "balrun's exit code disagrees with its own entries");
	}
	if (c->run->status != SPAWN_TIMED_OUT &&
	    (!json_is_integer(jcode) || json_integer_value(jcode) != code)) {
		char in_report[64];
		snprintf(in_report, sizeof(in_report), "exit_code %lld",
			 json_is_integer(jcode) ? (long long)json_integer_value(jcode) : -1LL);
		mismatch(c, "(run)", "exit_code", got, json_is_integer(jcode) ? in_report : "none",
			 "the report's exit_code differs from the exit status");
	}
}

size_t diff_compare(struct diff_bin *bins, size_t nbins, const struct diff_run *run, FILE *out)
{
	struct cmp c = { .bins = bins, .nbins = nbins, .run = run, .out = out };
	json_t *tests = json_object_get(run->report, "tests"), *t;
	size_t i;

	if (!run->report || !json_is_array(tests)) {
		char *err = xasprintf("%s; stderr: %.300s", spawn_describe(run->status),
				      run->stderr_text ? run->stderr_text : "");
		mismatch(&c, "(run)", "--json report", "a report", "none", err);
		free(err);
		return c.mismatches;
	}
	c.seen = calloc(nbins, sizeof(*c.seen));
	c.ev_used = calloc(nbins, sizeof(*c.ev_used));
	c.last = calloc(nbins, sizeof(*c.last));
	c.order_bad = calloc(nbins, sizeof(*c.order_bad));
	c.escaped = calloc(nbins, sizeof(*c.escaped));
	for (size_t b = 0; b < nbins; b++) {
		c.escaped[b] = calloc(bins[b].ncases + 1, sizeof(**c.escaped));
		for (size_t k = 0; k < bins[b].ncases; k++)
			c.escaped[b][k] = bins[b].cases[k].name ? diff_escape_id(bins[b].cases[k].name)
								: NULL;
		c.seen[b] = calloc(bins[b].ncases + 1, sizeof(**c.seen));
		c.ev_used[b] = calloc(bins[b].nev + 1, sizeof(**c.ev_used));
		c.last[b] = -1;
	}
	json_array_foreach(tests, i, t) {
		const char *id = jstr(t, "id");
		const char *sep = id ? strstr(id, "::") : NULL;
		size_t blen = id ? (sep ? (size_t)(sep - id) : strlen(id)) : 0;
		int bi = id ? find_bin(&c, id, blen) : -1;

		if (bi < 0) {
			mismatch(&c, "?", id ? id : "(no id)", "not in the zoo", jstr(t, "outcome"),
				 jstr(t, "message"));
			continue;
		}
		if (json_is_true(json_object_get(t, "fault")))
			on_fault(&c, bi, t, id, sep ? sep + 2 : NULL);
		else
			on_case(&c, bi, t, id, sep ? sep + 2 : NULL);
	}
	for (size_t b = 0; b < nbins; b++) {
		for (size_t k = 0; k < bins[b].ncases; k++) {
			if (run->excluded && run->excluded[b])
				break;
			if (!c.seen[b][k]) {
				const char *id = c.escaped[b][k] ? c.escaped[b][k] : "(the binary)";
				mismatch(&c, bins[b].base, id, diff_outcome_name(bins[b].cases[k].oracle),
					 "missing", NULL);
			}
		}
		for (size_t e = 0; e < bins[b].nev; e++) {
			if (!c.ev_used[b][e] && !(run->excluded && run->excluded[b])) {
				const struct diff_evidence *ev = &bins[b].ev[e];
				static const char *const kinds[] = {
					"[before tests]", "[after tests]", "[group setup]",
					"[group teardown]", "[group teardown] or [after tests]" };
				char *id = xasprintf("%s%s%s", ev->group ? ev->group : "",
						     ev->group ? " " : "", kinds[ev->kind]);
				char *want = xasprintf("fault (%s)", ev->what);
				mismatch(&c, bins[b].base, id, want, "missing", NULL);
				free(id);
				free(want);
			}
		}
		free(c.seen[b]);
		free(c.ev_used[b]);
		for (size_t k = 0; k < bins[b].ncases; k++)
			free(c.escaped[b][k]);
		free(c.escaped[b]);
	}
	check_exit(&c, tests);
	free(c.seen);
	free(c.ev_used);
	free(c.last);
	free(c.order_bad);
	free(c.escaped);
	return c.mismatches;
}
