/*
 * cmocka.c - the cmocka adapter: recognising a cmocka binary and listing
 * its tests.  Running a batch is cmocka-run.c; the part loaded into the
 * binary is preload-cmocka.c (the contract: common/preload.h).
 *
 * cmocka has no command line: its tests are whatever main() passes to
 * cmocka_run_group_tests(), a macro for _cmocka_run_group_tests() in
 * libcmocka.  balrun's preload shim interposes that function, so it can
 * list and choose tests in any binary that calls it through the shared
 * library.  A binary with cmocka compiled in (the function defined inside
 * it) would bypass the shim: it runs as one plain test, and a note says
 * so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "cmocka-internal.h"
#include "preload.h"
#include "util.h"

#define CMOCKA_ENTRY "_cmocka_run_group_tests"

static int cmocka_recognise(const struct binary_facts *f, const char *id, struct strbuf *note)
{
	enum facts_symbol entry = facts_symbol(f, CMOCKA_ENTRY);

	if (entry == FACTS_DEFINED) {
		strbuf_addf(note, "'%s' has cmocka compiled in (not the shared libcmocka), so its tests "
			    "cannot be listed or chosen one by one: it runs as one test", id);
		return 0;
	}
	return entry == FACTS_REFERENCED && facts_needs(f, "libcmocka.so");
}

static void cmocka_list_command(struct strvec *argv, struct strvec *env)
{
	(void)argv;
	strvec_setenv(env, PRELOAD_ENV_MODE, "list");
}

/*
 * The shim's list records (common/preload.h): "G group" and "T name" lines,
 * percent-encoded.  0, or -1 with err.
 */
static int cmocka_parse_records(const char *text, size_t len, struct listing *l, struct strbuf *err)
{
	const char *s = text, *end = text + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *value = n >= 2 && s[1] == ' ' ? adapter_unescape(s + 2, n - 2) : NULL;

		if (!nl || !value || (s[0] != 'G' && s[0] != 'T') || (s[0] == 'T' && !l->nscopes)) {
			strbuf_addf(err, "the preload shim's listing is damaged near '%.40s'", s);
			free(value);
			return -1;
		}
		if (s[0] == 'G') {
			listing_scope(l, value);
		} else {
			const char *group = l->scopes[l->nscopes - 1];
			size_t gl = strlen(group), vl = strlen(value);
			char *name = xmalloc(gl + vl + 2);   /* "group/value", without printf: 10^5 per binary */

			memcpy(name, group, gl);
			name[gl] = '/';
			memcpy(name + gl + 1, value, vl + 1);
			listing_test(l, name, 0)->check = preload_check(group, value);
			free(value);
		}
		s = nl + 1;
	}
	return 0;
}

static int cmocka_parse_listing(const struct listing_output *o, struct listing *l, struct strbuf *why,
				struct strbuf *notes)
{
	(void)notes;
	if (cmocka_parse_records(o->events, o->events_len, l, why))
		return -1;
	if (!l->n && !o->exited_zero) {
		strbuf_adds(why, "no tests listed");
		return -1;
	}
	return 0;
}

const struct adapter adapter_cmocka = {
	.name = "cmocka",
	.flags = ADAPTER_PRELOAD | ADAPTER_CHECKS,
	.recognise = cmocka_recognise,
	.list_command = cmocka_list_command,
	.parse_listing = cmocka_parse_listing,
	.run_batch = cmocka_run_batch,
};
