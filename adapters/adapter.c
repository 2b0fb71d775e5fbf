/*
 * adapter.c - the table of frameworks, and what every adapter shares: the
 * facts read from a binary and the listing it fills; see adapter.h.
 *
 * The table is the order in which adapters are asked to recognise a
 * binary: the specific ones first, plain (any executable) last.  Adding a
 * framework is one file (or folder) under adapters/ and one line here.
 */
#define _GNU_SOURCE
#include "adapter.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

extern const struct adapter adapter_criterion, adapter_cmocka, adapter_glib, adapter_check,
	adapter_tap, adapter_gtest, adapter_acutest, adapter_configured, adapter_plain;

static const struct adapter *const adapters[] = {
	&adapter_criterion,
	&adapter_cmocka,
	&adapter_glib,
	&adapter_check,
	&adapter_gtest,
	&adapter_acutest,
	&adapter_tap,              /* never by itself: --framework tap */
	&adapter_configured,       /* never recognised: .balrun.conf chooses it */
	&adapter_plain,            /* last: it takes every executable */
};

const struct adapter *adapter_recognise(const struct binary_facts *f, const char *id,
					struct strbuf *notes)
{
	struct strbuf note = STRBUF_INIT;
	const struct adapter *found = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(adapters) && !found; i++) {
		strbuf_reset(&note);
		if (adapters[i]->recognise(f, id, &note))
			found = adapters[i];
		else if (note.len)
			strbuf_addf(notes, "%s\n", note.buf);
	}
	strbuf_release(&note);
	return found;
}

const struct adapter *adapter_by_name(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(adapters); i++)
		if (!strcmp(adapters[i]->name, name))
			return adapters[i];
	return NULL;
}

const struct adapter *const *adapter_all(size_t *n)
{
	*n = ARRAY_SIZE(adapters);
	return adapters;
}

/* ---- binary facts ---- */

void facts_init(struct binary_facts *f)
{
	memset(f, 0, sizeof(*f));
	strbuf_init(&f->names, 0);
}

void facts_release(struct binary_facts *f)
{
	strvec_clear(&f->needed);
	strbuf_release(&f->names);
	free(f->symbols);
	memset(f, 0, sizeof(*f));
}

void facts_add_symbol(struct binary_facts *f, const char *name, int defined)
{
	ALLOC_GROW(f->symbols, f->nsymbols + 1, f->symbols_alloc);
	f->symbols[f->nsymbols++] = (struct binary_symbol){ .name = f->names.len, .defined = !!defined };
	strbuf_add(&f->names, name, strlen(name) + 1);
}

static int facts_cmp(const void *a, const void *b, void *names)
{
	const struct binary_symbol *x = a, *y = b;
	int c = strcmp((const char *)names + x->name, (const char *)names + y->name);

	return c ? c : (int)y->defined - (int)x->defined;	/* defined first */
}

void facts_sort(struct binary_facts *f)
{
	size_t out = 0;

	if (!f->nsymbols)
		return;
	qsort_r(f->symbols, f->nsymbols, sizeof(*f->symbols), facts_cmp, f->names.buf);
	for (size_t i = 0; i < f->nsymbols; i++)	/* one per name: the defined one if any */
		if (!out || strcmp(f->names.buf + f->symbols[out - 1].name, f->names.buf + f->symbols[i].name))
			f->symbols[out++] = f->symbols[i];
	f->nsymbols = out;
}

int facts_needs(const struct binary_facts *f, const char *prefix)
{
	for (size_t i = 0; i < f->needed.nr; i++)
		if (starts_with(f->needed.v[i], prefix))
			return 1;
	return 0;
}

enum facts_symbol facts_symbol(const struct binary_facts *f, const char *name)
{
	size_t lo = 0, hi = f->nsymbols;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, f->names.buf + f->symbols[mid].name);

		if (!c)
			return f->symbols[mid].defined ? FACTS_DEFINED : FACTS_REFERENCED;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return FACTS_ABSENT;
}

enum facts_symbol facts_symbol_prefix(const struct binary_facts *f, const char *prefix)
{
	size_t lo = 0, hi = f->nsymbols, n = strlen(prefix);

	while (lo < hi) {	/* the first name not below prefix */
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(f->names.buf + f->symbols[mid].name, prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < f->nsymbols && !strncmp(f->names.buf + f->symbols[i].name, prefix, n); i++)
		if (f->symbols[i].defined)
			return FACTS_DEFINED;
	return lo < f->nsymbols && !strncmp(f->names.buf + f->symbols[lo].name, prefix, n) ?
	       FACTS_REFERENCED : FACTS_ABSENT;
}

/* ---- listings ---- */

void listing_scope(struct listing *l, char *name)
{
	ALLOC_GROW(l->scopes, l->nscopes + 1, l->scopes_alloc);
	l->scopes[l->nscopes++] = name;
}

struct listed_test *listing_test(struct listing *l, char *name, int disabled)
{
	ALLOC_GROW(l->v, l->n + 1, l->alloc);
	l->v[l->n] = (struct listed_test){ .name = name, .disabled = !!disabled,
					   .scope = (uint32_t)(l->nscopes - 1) };
	return &l->v[l->n++];
}

void listing_release(struct listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	for (size_t i = 0; i < l->nscopes; i++)
		free(l->scopes[i]);
	free(l->v);
	free(l->scopes);
	memset(l, 0, sizeof(*l));
}

char *adapter_unescape(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;

		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) || !isxdigit((unsigned char)s[i + 2]) ||
		    sscanf(s + i + 1, "%2x", &v) != 1 || !v) {
			free(out);
			return NULL;
		}
		*o++ = (char)v;
		i += 2;
	}
	*o = '\0';
	return out;
}
